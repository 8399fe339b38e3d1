namespace Registrator.Benchmarks;

internal static class ClusterBenchmark
{
    public static Task<int> Run(string[] args) => Task.FromResult(args.Length);
}
