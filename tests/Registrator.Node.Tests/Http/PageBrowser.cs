using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// Debian's headless Chromium driven by Playwright (never Playwright's own browser download), one page in the UTC
/// time zone so times typed into the filters mean the same on every machine. Screenshots go to
/// <c>artifacts/screenshots/</c> in the repository, where README cites them.
/// </summary>
public sealed class PageBrowser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ITestOutputHelper _output;

    private PageBrowser(IPlaywright playwright, IBrowser browser, IPage page, ITestOutputHelper output)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _output = output;
    }

    public IPage Page { get; }

    public static async Task<PageBrowser> OpenAsync(ITestOutputHelper output, int width = 1280, int height = 800)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install the Debian package chromium (./build.sh --target=Deps)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "UTC",
            Locale = "en-GB",
        });
        page.Console += (_, message) => output.WriteLine($"browser {message.Type}: {message.Text}");
        page.PageError += (_, error) => output.WriteLine($"browser error: {error}");
        return new PageBrowser(playwright, browser, page, output);
    }

    /// <summary>The path of screenshot <paramref name="name"/> in <c>artifacts/screenshots/</c> (created), logged.</summary>
    public string Screenshot(string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>The folder holding the solution, above the test assembly; beside the assembly when run from elsewhere.</summary>
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Registrator.Actors.sln"))) return folder.FullName;
        return AppContext.BaseDirectory;
    }
}
