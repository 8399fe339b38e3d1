namespace Registrator.Node.Tests.Support;

/// <summary>AwaitAssert for async checks: retries until the assertion holds or the deadline passes, then rethrows its failure.</summary>
public static class Poll
{
    /// <summary>Thrown by an assertion when retrying cannot help (the process it waits for has died): ends the poll at once.</summary>
    public sealed class GiveUpException(string message) : Exception(message);

    public static async Task UntilAsync(Func<Task> assertion, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception e) when (e is not GiveUpException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
