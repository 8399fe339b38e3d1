namespace Registrator.Media.Tests;

public sealed class KeyframeSelectorTests
{
    private static readonly IReadOnlyList<BgrFrame> Frames =
    [
        new([1], "a"),
        new([2], "b"),
        new([3], null),
        new([4], "d"),
    ];

    [Fact]
    public void Select_returns_the_frame_with_the_requested_id()
    {
        Assert.Equal(1, KeyframeSelector.Select(Frames, "b"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("missing")]
    [InlineData("B")]
    public void Select_falls_back_to_the_newest_frame_when_the_id_is_absent_or_differs_in_case(string? keyframeId)
    {
        Assert.Equal(3, KeyframeSelector.Select(Frames, keyframeId));
    }

    [Fact]
    public void Select_prefers_the_newest_of_several_frames_with_the_same_id()
    {
        IReadOnlyList<BgrFrame> frames = [new([1], "x"), new([2], "x"), new([3], "y")];

        Assert.Equal(1, KeyframeSelector.Select(frames, "x"));
    }

    [Fact]
    public void Select_rejects_an_empty_list()
    {
        Assert.Throws<ArgumentException>(() => KeyframeSelector.Select([], "a"));
    }
}
