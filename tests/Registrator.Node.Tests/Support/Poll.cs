namespace Registrator.Node.Tests.Support;

/// <summary>AwaitAssert for async checks: retries until the assertion holds or the deadline passes, then rethrows its failure.</summary>
public static class Poll
{
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
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
