using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Registrator.Demo;

namespace Registrator.Benchmarks;

/// <summary>
/// The Python module side by side with our node, in one run on the same redis-server and nats-server, with the module's
/// own publisher (<c>../shared/seed/python/bench.py</c>):
/// <list type="bullet">
/// <item>the module: <c>bench.py ingest</c> (its subscriber handles the results a separate <c>bench.py publish</c> sends);</item>
/// <item>our node, a fresh process each round (<see cref="SeedNodeChild"/>, the product's <c>NodeHost</c>, manual trigger):
/// the first results after it answers (cold) and as many again on fresh keys (warm), timed from the publisher's
/// <c>t_start</c> until the tasks have counted every status; then every key's statuses are checked;</item>
/// <item>the ceiling: a bare NATS.Client.Core subscriber that only counts (<see cref="SeedRawChild"/>), fresh each round;</item>
/// <item><c>bench.py register</c> against our <c>events</c> benchmark, both at libx264 preset medium.</item>
/// </list>
/// Three rounds, medians. Skipped with a message when the seed or Debian's python3-av/-opencv/-numpy/-redis are missing.
/// </summary>
internal static class SeedBenchmark
{
    private const double WarmGoal = 2.0;
    private const double ColdGoal = 1.0;

    public static async Task<int> Run(string[] args)
    {
        var messages = BenchArgs.Int(args, "--messages", 200_000);
        var keys = BenchArgs.Int(args, "--keys", 1000);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var seed = Path.GetFullPath(Environment.GetEnvironmentVariable("SEED_PYTHON") ?? "../shared/seed/python");
        if (!File.Exists(Path.Combine(seed, "bench.py")))
        {
            Console.WriteLine($"## seed: skipped — the Python module is not at {seed} (set SEED_PYTHON)");
            return 0;
        }
        if (await PythonAsync(seed, new Dictionary<string, string>(), "-c", "import av, cv2, numpy, redis") is { ExitCode: not 0 } missing)
        {
            Console.WriteLine("## seed: skipped — python3 lacks av/cv2/numpy/redis (apt-get install python3-av python3-opencv python3-numpy python3-redis): "
                + missing.Error.Trim().Split('\n').LastOrDefault());
            return 0;
        }

        var work = Directory.CreateTempSubdirectory("registrator-bench-seed-").FullName;
        try
        {
            await using var redis = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None);
            await using var nats = await LocalServer.StartAsync("nats-server", port => ["-a", "127.0.0.1", "-p", $"{port}"], CancellationToken.None);
            var natsUrl = $"nats://127.0.0.1:{nats.Port}";
            var env = new Dictionary<string, string>
            {
                ["NATS_HOST"] = natsUrl, ["REDIS_HOST"] = "127.0.0.1", ["REDIS_PORT"] = $"{redis.Port}",
                ["TMP_PATH"] = Directory.CreateDirectory(Path.Combine(work, "python-media")).FullName,
                ["BENCH_WORK"] = Directory.CreateDirectory(Path.Combine(work, "python-work")).FullName,
            };

            var python = new List<double>();
            var cold = new List<double>();
            var warm = new List<double>();
            var raw = new List<double>();
            var verified = true;
            for (var round = 1; round <= rounds; round++)
            {
                Console.Error.WriteLine($"seed round {round}/{rounds}: the module");
                python.Add(await ModuleIngestAsync(seed, env, messages, keys));
                Console.Error.WriteLine($"seed round {round}/{rounds}: our node, cold then warm");
                var node = await NodeRoundAsync(seed, env, work, redis.Port, natsUrl, messages, keys, round);
                cold.Add(node.Cold);
                warm.Add(node.Warm);
                verified &= node.Verified;
                Console.Error.WriteLine($"seed round {round}/{rounds}: bare NATS.Client.Core subscriber");
                raw.Add(await RawRoundAsync(seed, env, natsUrl, messages, keys, round));
            }

            Console.WriteLine($"## Inference results vs the Python module: {messages:N0} results over {keys:N0} keys, its publisher (bench.py publish), one nats-server; {rounds} rounds, medians");
            Console.WriteLine();
            Console.WriteLine("| subscriber | median results/s | × module | rounds, results/s |");
            Console.WriteLine("|---|---:|---:|---|");
            var module = BenchStats.Median(python);
            Row("the Python module (bench.py ingest)", python, module);
            Row("our node, cold: the first results after it answers", cold, module);
            Row("our node, warm: the next results, fresh keys", warm, module);
            Row("bare NATS.Client.Core subscriber, counts only (ceiling)", raw, module);
            Console.WriteLine();
            var (coldRatio, warmRatio) = (BenchStats.Median(cold) / module, BenchStats.Median(warm) / module);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm {warmRatio:F2}× the module (goal ≥ {WarmGoal:F1}: {Met(warmRatio >= WarmGoal)}), cold {coldRatio:F2}× (goal ≥ {ColdGoal:F1}: {Met(coldRatio >= ColdGoal)}); every status counted by the tasks: {(verified ? "yes" : "NO")}"));
            Console.WriteLine();

            await RegisterAsync(seed, env);
            return verified ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        void Row(string name, List<double> rates, double module) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {BenchStats.Median(rates):F0} | {BenchStats.Median(rates) / module:F2} | {string.Join(", ", rates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))} |"));
    }

    /// <summary>Debian's interpreter, where its python3-av and friends are installed (a pyenv shim on PATH has none of them).</summary>
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static string Met(bool met) => met ? "met" : "NOT met";

    private static async Task<double> ModuleIngestAsync(string seed, Dictionary<string, string> env, int messages, int keys)
    {
        var run = await PythonAsync(seed, env, "bench.py", "ingest", "--messages", $"{messages}", "--keys", $"{keys}");
        var result = LastJson(run, "bench.py ingest");
        if (!result.GetProperty("verified").GetBoolean()) throw new InvalidOperationException($"bench.py ingest did not verify: {result}");
        return result.GetProperty("msgs_per_s").GetDouble();
    }

    private static async Task<(double Cold, double Warm, bool Verified)> NodeRoundAsync(
        string seed, Dictionary<string, string> env, string work, int redisPort, string natsUrl, int messages, int keys, int round)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, $"node-{round}")).FullName;
        using var child = ChildProcess.Start(SeedNodeChild.Verb, [natsUrl, $"{redisPort}", folder]);
        await child.ExpectAsync("ready");
        var rates = new List<double>();
        foreach (var phase in new[] { "cold", "warm" })
        {
            var prefix = $"{phase}-{round}-";
            await child.SendAsync($"expect {messages}");
            var start = await PublishAsync(seed, env, messages, keys, prefix);
            var reached = await child.ExpectAsync("reached");
            rates.Add(messages / (double.Parse(reached.Split(' ')[2], CultureInfo.InvariantCulture) - start));
        }
        var verified = true;
        foreach (var phase in new[] { "cold", "warm" })
        {
            await child.SendAsync($"verify {phase}-{round}- {keys} {messages / keys} {ExpectedDetections(messages / keys)}");
            var answer = await child.ExpectAsync("verified");
            if (answer != "verified ok") Console.Error.WriteLine($"seed: {phase} round {round}: {answer}");
            verified &= answer == "verified ok";
        }
        await child.SendAsync("quit");
        await child.ExitAsync();
        return (rates[0], rates[1], verified);
    }

    private static async Task<double> RawRoundAsync(string seed, Dictionary<string, string> env, string natsUrl, int messages, int keys, int round)
    {
        using var child = ChildProcess.Start(SeedRawChild.Verb, [natsUrl, $"{messages}"]);
        await child.ExpectAsync("ready");
        var start = await PublishAsync(seed, env, messages, keys, $"raw-{round}-");
        var reached = await child.ExpectAsync("reached");
        await child.ExitAsync();
        return messages / (double.Parse(reached.Split(' ')[2], CultureInfo.InvariantCulture) - start);
    }

    /// <summary>The module's publisher; returns its <c>t_start</c> (CLOCK_MONOTONIC seconds, as <see cref="Stopwatch"/> on Linux).</summary>
    private static async Task<double> PublishAsync(string seed, Dictionary<string, string> env, int messages, int keys, string prefix)
    {
        var run = await PythonAsync(seed, new Dictionary<string, string>(env) { ["BENCH_KEY_PREFIX"] = prefix },
            "bench.py", "publish", "--messages", $"{messages}", "--keys", $"{keys}");
        return LastJson(run, "bench.py publish").GetProperty("t_start").GetDouble();
    }

    /// <summary>bench.py: 3 of 4 results of a key carry a box.</summary>
    private static int ExpectedDetections(int perKey) => Enumerable.Range(0, perKey).Count(j => j % 4 != 3);

    private static async Task RegisterAsync(string seed, Dictionary<string, string> env)
    {
        Console.Error.WriteLine("seed: registrations, the module (bench.py prepare, register)");
        LastJsonOrThrow(await PythonAsync(seed, env, "bench.py", "prepare"), "bench.py prepare", requireJson: false);
        var module = LastJson(await PythonAsync(seed, env, "bench.py", "register", "--tasks", "20", "--frames", "30"), "bench.py register");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## Registrations vs the Python module: 20 tasks × 30 frames 640x480, libx264 preset medium — the module (bench.py register): {module.GetProperty("events_per_s").GetDouble():F1} events/s; our node below"));
        Console.WriteLine();
        await RegistrationBenchmark.Run(["--tasks", "20", "--frames", "30", "--preset", "medium"]);
    }

    private static JsonElement LastJson((int ExitCode, string Output, string Error) run, string what) =>
        LastJsonOrThrow(run, what, requireJson: true)!.Value;

    private static JsonElement? LastJsonOrThrow((int ExitCode, string Output, string Error) run, string what, bool requireJson)
    {
        if (run.ExitCode != 0) throw new InvalidOperationException($"{what} failed ({run.ExitCode}): {run.Error}");
        var line = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (line is null) return requireJson ? throw new InvalidOperationException($"{what} printed no JSON: {run.Output}") : null;
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static async Task<(int ExitCode, string Output, string Error)> PythonAsync(string seed, Dictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { WorkingDirectory = seed, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in env) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
