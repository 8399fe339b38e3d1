using Microsoft.Playwright;
using Registrator.Integration.Tests.Support;
using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// The events page in a real browser: Debian's headless Chromium driven by Playwright (never Playwright's own browser
/// download). Screenshots go to <c>screenshots/</c> beside the test assembly.
/// </summary>
public sealed class EventsPageSpec : IClassFixture<RedisServer>
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly RedisServer _redis;
    private readonly ITestOutputHelper _output;

    public EventsPageSpec(RedisServer redis, ITestOutputHelper output)
    {
        _redis = redis;
        _output = output;
    }

    [Fact]
    public async Task The_page_lists_an_event_plays_its_clip_and_shows_a_new_event_without_reload()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install the Debian package chromium (./build.sh --target=Deps)");
        await using var node = await TestNode.StartAsync(_redis);
        var first = await node.RegisterAsync("entrance/камера 1", frames: 40);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        page.Console += (_, message) => _output.WriteLine($"browser {message.Type}: {message.Text}");
        await page.GotoAsync(node.BaseAddress.ToString());
        // Survives only if the page is never reloaded.
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");

        var card = page.Locator($".event-card[data-event-id='{first.EventId}']");
        await card.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.Equal("entrance/камера 1", await card.Locator(".key").TextContentAsync());
        Assert.Equal("YOLOModel", await card.Locator(".model").TextContentAsync());
        Assert.Equal("best 0.95", await card.Locator(".score").TextContentAsync());
        await page.WaitForFunctionAsync(
            $"() => {{ const img = document.querySelector(\".event-card[data-event-id='{first.EventId}'] img\"); return img && img.complete && img.naturalWidth > 0; }}",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("events-page.png"), FullPage = true });

        await card.ClickAsync();
        await page.WaitForFunctionAsync("() => { const v = document.getElementById('player-video'); return v && v.currentTime > 0.5; }",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        Assert.False(await page.EvaluateAsync<bool>("() => document.getElementById('player-video').error !== null"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("events-page-player.png") });
        await page.Keyboard.PressAsync("Escape");

        var second = await node.RegisterAsync("parking", frames: 12);

        await page.Locator($".event-card[data-event-id='{second.EventId}']").WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the page was reloaded");
        var order = await page.Locator(".event-card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.eventId)");
        Assert.Equal([second.EventId.ToString(), first.EventId.ToString()], order);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("events-page-live.png"), FullPage = true });
    }

    private string Screenshot(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        _output.WriteLine($"screenshot: {path}");
        return path;
    }
}
