using Registrator.Actors.Nats;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

public sealed class DeliveryWindowSpec
{
    [Fact]
    public async Task A_full_window_waits_until_an_answer_returns_a_credit()
    {
        var window = new DeliveryWindow(2);
        await window.WaitAsync(CancellationToken.None); window.Sent();
        await window.WaitAsync(CancellationToken.None); window.Sent();
        var third = window.WaitAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        window.Answered();
        await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Unanswered_messages_are_reclaimed_only_after_a_whole_quiet_period()
    {
        var window = new DeliveryWindow(3);
        for (var i = 0; i < 3; i++) { await window.WaitAsync(CancellationToken.None); window.Sent(); }
        window.Answered();                         // one answer: the period was not quiet
        Assert.Equal(0, window.ReclaimIfStalled());
        Assert.Equal(2, window.ReclaimIfStalled()); // nothing since: the two others are lost

        for (var i = 0; i < 3; i++) Assert.True(window.WaitAsync(CancellationToken.None).IsCompleted);
        Assert.False(window.WaitAsync(CancellationToken.None).IsCompleted);   // exactly the window, no more
    }
}
