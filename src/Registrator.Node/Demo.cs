namespace Registrator.Node;

/// <summary>The end-to-end demo behind <c>./build.sh --target=Demo</c>.</summary>
public static class Demo
{
    public static Task<int> RunAsync(TextWriter output, CancellationToken cancellation)
    {
        output.WriteLine("demo: not built yet");
        return Task.FromResult(1);
    }
}
