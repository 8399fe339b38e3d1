// Build targets for Registrator.Actors. Plain `dotnet build` / `dotnet test` keep working; this file
// adds the machine set-up (apt packages), the test summary line CI reads, the benchmarks and the demo.
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var testFilter = Argument("filter", "");
var solution = "./Registrator.Actors.sln";
var resultsDir = MakeAbsolute(Directory("./artifacts/test-results"));

// Debian packages the product and its tests use at run time: real servers, FFmpeg's shared
// libraries and headers, ffprobe, the GTK runtime OpenCvSharp's native build links against, and the
// headless browser the events-page test drives through Playwright (Playwright's own download is never used),
// and the Python module's own dependencies, so the Bench `seed` verb can run it beside us on a fresh machine.
var aptPackages = new[] {
    "redis-server", "nats-server", "ffmpeg",
    "libavcodec-dev", "libavformat-dev", "libavutil-dev", "libswscale-dev",
    "libgtk-3-0",
    "chromium",
    "python3-av", "python3-opencv", "python3-numpy", "python3-redis",
};

bool IsInstalled(string package)
{
    var exit = StartProcess("dpkg-query", new ProcessSettings {
        Arguments = $"-W -f=${{Status}} {package}",
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    }, out var output);
    return exit == 0 && string.Join("", output).Contains("install ok installed");
}

int Run(string tool, string arguments, string workingDirectory = ".")
{
    Information("$ {0} {1}", tool, arguments);
    return StartProcess(tool, new ProcessSettings { Arguments = arguments, WorkingDirectory = workingDirectory });
}

Task("Deps")
    .Description("Installs the Debian packages that are missing (needs root; otherwise prints the command).")
    .Does(() =>
{
    var missing = aptPackages.Where(p => !IsInstalled(p)).ToArray();
    if (missing.Length == 0)
    {
        Information("Deps: all {0} apt packages present", aptPackages.Length);
        return;
    }
    var command = "apt-get install -y --no-install-recommends " + string.Join(" ", missing);
    var uid = EnvironmentVariable("EUID") ?? "";
    var isRoot = System.Environment.UserName == "root" || uid == "0";
    if (!isRoot)
        throw new Exception($"Missing packages: {string.Join(", ", missing)}. Run as root: apt-get update && {command}");
    var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
    if (StartProcess("apt-get", new ProcessSettings { Arguments = "update -qq", EnvironmentVariables = env }) != 0)
        throw new Exception("apt-get update failed");
    if (StartProcess("apt-get", new ProcessSettings { Arguments = command.Substring("apt-get ".Length), EnvironmentVariables = env }) != 0)
        throw new Exception($"apt-get install failed: {command}");
});

Task("Build")
    .IsDependentOn("Deps")
    .Does(() =>
{
    if (Run("dotnet", $"build {solution} -c {configuration} --nologo") != 0)
        throw new Exception("build failed");
});

Task("Test")
    .Description("Runs every test project and prints 'tests: N passed, N failed' from the TRX results.")
    .IsDependentOn("Build")
    .Does(() =>
{
    CleanDirectory(resultsDir);
    var projects = GetFiles("./tests/**/*.Tests.csproj").OrderBy(p => p.FullPath).ToList();
    if (projects.Count == 0) throw new Exception("no test projects found under tests/");
    var runFailed = false;
    foreach (var project in projects)
    {
        var name = project.GetFilenameWithoutExtension();
        var filter = string.IsNullOrEmpty(testFilter) ? "" : $" --filter \"{testFilter}\"";
        var exit = Run("dotnet", $"test \"{project.FullPath}\" -c {configuration} --no-build --nologo"
            + $" --logger \"trx;LogFileName={name}.trx\" --logger \"console;verbosity=minimal\""
            + $" --results-directory \"{resultsDir}\" --blame-hang-timeout 10m{filter}");
        runFailed |= exit != 0;
    }
    int passed = 0, failed = 0, skipped = 0;
    XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
    var failures = new List<string>();
    foreach (var trx in GetFiles($"{resultsDir}/*.trx"))
    {
        var results = XDocument.Load(trx.FullPath);
        // CI keeps only the tail of the log: name each failure (with its first message line) next to the count.
        foreach (var result in results.Descendants(ns + "UnitTestResult")
                     .Where(r => (string)r.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted"))
        {
            var message = result.Descendants(ns + "Message").FirstOrDefault()?.Value ?? "";
            var firstLines = string.Join(" | ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3));
            failures.Add($"failed: {(string)result.Attribute("testName")}: {firstLines}");
        }
        var counters = results.Descendants(ns + "Counters").FirstOrDefault();
        if (counters is null) continue;
        passed += (int?)counters.Attribute("passed") ?? 0;
        failed += ((int?)counters.Attribute("failed") ?? 0) + ((int?)counters.Attribute("error") ?? 0)
                + ((int?)counters.Attribute("timeout") ?? 0) + ((int?)counters.Attribute("aborted") ?? 0);
        skipped += (int?)counters.Attribute("notExecuted") ?? 0;
    }
    foreach (var failure in failures) Console.WriteLine(failure);
    if (runFailed && failed == 0) failed = 1; // a crashed test host writes no counters: never report green
    Console.WriteLine($"tests: {passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
    if (failed > 0 || passed == 0) throw new Exception("tests failed or none ran");
});

Task("Bench")
    .Description("Runs the benchmarks and load generators in src/Registrator.Benchmarks.")
    .IsDependentOn("Build")
    .Does(() =>
{
    var project = "./src/Registrator.Benchmarks/Registrator.Benchmarks.csproj";
    if (!FileExists(project)) throw new Exception("no benchmark project yet");
    var args = Argument("bench", "all");
    if (Run("dotnet", $"run --project {project} -c Release --no-build -- {args}") != 0)
        throw new Exception("benchmarks failed");
});

Task("Demo")
    .Description("Runs the end-to-end demo: servers, a cluster, a camera, detections, events.")
    .IsDependentOn("Build")
    .Does(() =>
{
    // Its own executable (src/Registrator.Demo), which starts the product's nodes in-process.
    var project = "./src/Registrator.Demo/Registrator.Demo.csproj";
    if (Run("dotnet", $"run --project {project} -c {configuration} --no-build") != 0)
        throw new Exception("demo failed");
});

RunTarget(target);
