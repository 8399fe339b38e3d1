using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Akka.Actor;
using Microsoft.Playwright;
using OpenCvSharp;
using Registrator.Contracts;
using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// The events page in a real browser (<see cref="PageBrowser"/>) against a whole node with real events: the list, the
/// event view (clip, keyframe with boxes, facts, message, downloads), the filters and the live tasks view.
/// Screenshots go to <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class EventsPageSpec : IClassFixture<RedisServer>
{
    /// <summary>Two detections in the 320×240 frame's pixels: class 2 at 0.87, class 0 at 0.66 (boxes are [x1, y1, x2, y2]).</summary>
    private const string TwoBoxes = """{"model":"YOLOModel","result":{"boxes":[[60,50,250,190],[200,20,300,70]],"scores":[0.87,0.66],"class_ids":[2,0]},"frame_id":"frame_011"}""";

    // app.js's palette: class 0 and class 2.
    private static readonly (int R, int G, int B) Class0 = (0xff, 0x2d, 0x95);
    private static readonly (int R, int G, int B) Class2 = (0xff, 0xd6, 0x0a);
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 20_000 };

    private readonly RedisServer _redis;
    private readonly ITestOutputHelper _output;

    public EventsPageSpec(RedisServer redis, ITestOutputHelper output)
    {
        _redis = redis;
        _output = output;
    }

    [Fact]
    public async Task The_page_lists_an_event_plays_its_clip_in_the_event_view_and_shows_a_new_event_without_reload()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var first = await node.RegisterAsync("entrance/камера 1", frames: 40);
        await using var browser = await PageBrowser.OpenAsync(_output);
        var page = browser.Page;
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
            null, Patience);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = browser.Screenshot("events-page.png"), FullPage = true });

        await card.ClickAsync();
        // Plays: the position moves on (or the short clip already ended) without a media error.
        await page.WaitForFunctionAsync("() => { const v = document.getElementById('player-video'); return v && (v.currentTime > 0.5 || v.ended); }", null, Patience);
        Assert.False(await page.EvaluateAsync<bool>("() => document.getElementById('player-video').error !== null"));
        // Without start/end (the window policy) the duration is the clip's own.
        await page.WaitForFunctionAsync("() => document.querySelector('#player-facts .duration').textContent.endsWith('(the clip)')", null, Patience);
        var clipSeconds = await page.EvaluateAsync<double>("() => document.getElementById('player-video').duration");
        Assert.True(clipSeconds > 0.5, $"the clip lasts {clipSeconds} s");
        Assert.Equal($"{clipSeconds.ToString("F1", CultureInfo.InvariantCulture)} s (the clip)", await page.Locator("#player-facts .duration").TextContentAsync());
        var shown = (await page.Locator("#player-message").TextContentAsync())!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(TestNode.YoloMessage), JsonNode.Parse(shown)), shown);
        Assert.Contains("\n  \"model\"", await page.Locator("#player-message").TextContentAsync());
        var links = await page.Locator("#player-downloads a").EvaluateAllAsync<string[][]>("links => links.map(a => [a.getAttribute('href'), a.getAttribute('download')])");
        Assert.Equal(
            [
                [$"/media/{first.EventId}/clip.mp4", $"{first.EventId}.mp4"],
                [$"/media/{first.EventId}/keyframe.jpg", $"{first.EventId}.jpg"],
                [$"/api/events/{first.EventId}", $"{first.EventId}.json"],
            ],
            links);
        foreach (var link in links)
        {
            using var response = await node.Http.GetAsync(link[0]);
            Assert.True(response.IsSuccessStatusCode, $"download {link[0]}: {(int)response.StatusCode}");
        }
        Assert.Contains($"event={first.EventId}", page.Url);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = browser.Screenshot("events-page-player.png") });
        await page.Keyboard.PressAsync("Escape");

        var second = await node.RegisterAsync("parking", frames: 12);

        await page.Locator($".event-card[data-event-id='{second.EventId}']").WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the page was reloaded");
        var order = await page.Locator(".event-card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.eventId)");
        Assert.Equal([second.EventId.ToString(), first.EventId.ToString()], order);
        // The new key joined the filter's list without a reload.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#filter-key option')].some(o => o.value === 'parking')", null, Patience);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = browser.Screenshot("events-page-live.png"), FullPage = true });
    }

    [Fact]
    public async Task An_event_link_opens_its_event_view()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var registered = await node.RegisterAsync("dock", frames: 12);
        await using var browser = await PageBrowser.OpenAsync(_output);

        await browser.Page.GotoAsync($"{node.BaseAddress}?event={registered.EventId}");

        await browser.Page.WaitForFunctionAsync("() => document.getElementById('player').open", null, Patience);
        Assert.Equal("dock", await browser.Page.Locator("#player-title").TextContentAsync());
    }

    [Fact]
    public async Task An_incident_shows_its_start_end_and_duration_from_the_events_capture_times()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var registered = await node.RegisterAsync("gate-span", frames: 12);
        await using var browser = await PageBrowser.OpenAsync(_output);
        var page = browser.Page;
        // The span policy adds start and end (capture time, Unix seconds) to its events; here they are added to the
        // node's real answer on its way to the page.
        await page.RouteAsync(new Regex("/api/events\\?"), async route =>
        {
            var response = await route.FetchAsync();
            var body = JsonNode.Parse(await response.TextAsync())!;
            foreach (var e in body["events"]!.AsArray())
            {
                var timestamp = e!["timestamp"]!.GetValue<double>();
                e["start"] = timestamp - 8.0;
                e["end"] = timestamp - 1.5;
            }
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body.ToJsonString() });
        });
        await page.GotoAsync(node.BaseAddress.ToString());

        var card = page.Locator($".event-card[data-event-id='{registered.EventId}']");
        await card.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.Equal("incident 6.5 s", await card.Locator(".span").TextContentAsync());
        await card.ClickAsync();

        var facts = await page.Locator("#player-facts").EvaluateAsync<Dictionary<string, string>>(
            "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(dt => [dt.textContent, dt.nextElementSibling.textContent]))");
        Assert.Equal("6.5 s", facts["Duration"]);
        var at = (double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime;
        Assert.Equal(at(registered.Timestamp - 8.0).ToString("dd MMM yyyy, HH:mm:ss.fff", CultureInfo.InvariantCulture), facts["Start"]);
        Assert.Equal(at(registered.Timestamp - 1.5).ToString("dd MMM yyyy, HH:mm:ss.fff", CultureInfo.InvariantCulture), facts["End"]);
    }

    [Fact]
    public async Task Boxes_are_drawn_over_the_keyframe_where_the_message_puts_them_scaled_to_the_displayed_size()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var registered = await node.RegisterAsync("gate-boxes", frames: 12, message: TwoBoxes);
        await using var browser = await PageBrowser.OpenAsync(_output, height: 1100);
        var page = browser.Page;
        await page.GotoAsync(node.BaseAddress.ToString());

        var card = page.Locator($".event-card[data-event-id='{registered.EventId}']");
        await card.Locator(".frame[data-drawn='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.Equal(["2 0.87", "0 0.66"], await card.Locator("svg.boxes text").AllTextContentsAsync());

        await card.ClickAsync();
        var keyframe = page.Locator("#player-keyframe img");
        await page.Locator("#player-keyframe .frame[data-drawn='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        // The video above the keyframe has its size once its metadata is in: nothing moves after that.
        await page.WaitForFunctionAsync("() => document.getElementById('player-video').readyState >= 1", null, Patience);
        await page.EvaluateAsync("() => document.getElementById('player-video').pause()");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = browser.Screenshot("events-page-boxes.png") });
        using var drawn = Decode(await keyframe.ScreenshotAsync());
        await page.Locator("#show-boxes").UncheckAsync();
        using var plain = Decode(await keyframe.ScreenshotAsync());

        Assert.Equal((drawn.Width, drawn.Height), (plain.Width, plain.Height));
        var sx = drawn.Width / (double)Frames.Width;
        var sy = drawn.Height / (double)Frames.Height;
        _output.WriteLine($"keyframe shown at {drawn.Width}×{drawn.Height} ({sx:F2}×)");
        Assert.True(sx > 1.5, $"the keyframe is shown {sx:F2}× its size: the test means to check scaling");
        Assert.Equal(sx, sy, 1);
        var at = (double x, double y) => ((int)Math.Round(x * sx), (int)Math.Round(y * sy));

        // Box 1, class 2: its four edges, away from box 2 and the labels.
        foreach (var y in new[] { 100, 130, 160, 180 })
        {
            AssertStroke(drawn, plain, at(250, y), Class2, $"right edge of box 1 at y={y}");
            AssertStroke(drawn, plain, at(60, y), Class2, $"left edge of box 1 at y={y}");
        }
        foreach (var x in new[] { 80, 120, 160, 200, 230 }) AssertStroke(drawn, plain, at(x, 190), Class2, $"bottom edge of box 1 at x={x}");
        foreach (var x in new[] { 130, 170 }) AssertStroke(drawn, plain, at(x, 50), Class2, $"top edge of box 1 at x={x}");
        // Box 2, class 0: its right and bottom edges, outside box 1.
        AssertStroke(drawn, plain, at(300, 45), Class0, "right edge of box 2");
        AssertStroke(drawn, plain, at(280, 70), Class0, "bottom edge of box 2");
        // Nothing drawn 10 frame pixels inside or outside the edges (boxes are outlines).
        foreach (var (x, y) in new[] { (240, 150), (150, 180), (70, 120), (262, 150), (150, 202), (48, 120) })
        {
            var point = at(x, y);
            Assert.True(Difference(drawn, plain, point) < 30, $"({x},{y}) of the frame changed with the boxes: {Difference(drawn, plain, point)}");
        }
    }

    [Fact]
    public async Task The_key_and_time_range_filters_narrow_the_list()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var keyA = "lobby-" + Guid.NewGuid().ToString("N")[..6];
        var keyB = "yard-" + Guid.NewGuid().ToString("N")[..6];
        var a1 = await node.RegisterAsync(keyA, frames: 8);
        var b1 = await node.RegisterAsync(keyB, frames: 8);
        var a2 = await node.RegisterAsync(keyA, frames: 8);
        await using var browser = await PageBrowser.OpenAsync(_output);
        var page = browser.Page;
        await page.GotoAsync(node.BaseAddress.ToString());
        await AwaitCardsAsync(page, a2, b1, a1);
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#filter-key option').length === 3", null, Patience);
        Assert.Equal(["All keys", $"{keyA} (2)", $"{keyB} (1)"], await page.Locator("#filter-key option").AllTextContentsAsync());

        await page.Locator("#filter-key").SelectOptionAsync(keyA);
        await AwaitCardsAsync(page, a2, a1);

        // B1 alone is within a millisecond either side of its timestamp; the others are seconds away.
        await page.Locator("#filter-from").FillAsync(LocalInput(b1.Timestamp, -1));
        await page.Locator("#filter-to").FillAsync(LocalInput(b1.Timestamp, +1));
        await page.Locator("#filter-key").SelectOptionAsync("");
        await AwaitCardsAsync(page, b1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = browser.Screenshot("events-page-filtered.png"), FullPage = true });

        await page.Locator("#filter-key").SelectOptionAsync(keyA);
        await AwaitCardsAsync(page);
        Assert.Equal("No events match the filter.", await page.Locator("#empty").TextContentAsync());
        Assert.True(await page.Locator("#empty").IsVisibleAsync());

        await page.Locator("#filter-to").FillAsync("");
        await page.Locator("#filter button[type=submit]").ClickAsync();
        await AwaitCardsAsync(page, a2);

        await page.Locator("#filter-clear").ClickAsync();
        await AwaitCardsAsync(page, a2, b1, a1);
        Assert.Equal("", await page.Locator("#filter-from").InputValueAsync());
    }

    [Fact]
    public async Task The_tasks_view_shows_a_buffering_task_with_its_node_and_follows_it()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var key = "dock-" + Guid.NewGuid().ToString("N")[..6];
        await FeedAsync(node, key, from: 0, count: 15);
        await AwaitFramesAsync(node, key, 15);
        await using var browser = await PageBrowser.OpenAsync(_output);
        var page = browser.Page;

        await page.GotoAsync(node.BaseAddress + "#tasks");

        var row = page.Locator($"#tasks tr[data-key='{key}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.Equal("PENDING", await row.Locator(".state").TextContentAsync());
        Assert.Equal("15", await row.Locator(".frames").TextContentAsync());
        Assert.Equal("1.5 s", await row.Locator(".buffered .seconds").TextContentAsync());
        Assert.Equal("15", await row.Locator(".statuses .count").TextContentAsync());
        Assert.Equal(5, await row.Locator(".statuses .strip i.on").CountAsync());
        Assert.Equal("0", await row.Locator(".registrations .count").TextContentAsync());
        var url = node.BaseAddress.ToString().TrimEnd('/');
        // The node's URL reaches the directory within a tick of its publisher.
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#tasks tr[data-key='{key}'] .node a\")", null, Patience);
        Assert.Equal(url + "/#tasks", await row.Locator(".node a").GetAttributeAsync("href"));
        Assert.Equal(url.Replace("http://", ""), await row.Locator(".node a").TextContentAsync());
        Assert.Equal(Cluster(node), await row.Locator(".node").GetAttributeAsync("title"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = browser.Screenshot("tasks-page.png"), FullPage = true });

        // The view refreshes by itself.
        await FeedAsync(node, key, from: 15, count: 5);
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#tasks tr[data-key='{key}'] .frames\")?.textContent === '20'", null, Patience);
        Assert.Equal("2.0 s", await row.Locator(".buffered .seconds").TextContentAsync());
    }

    /// <summary>Frames 0.1 s apart in capture time (10 fps, none skipped) and a status each, every third a detection.</summary>
    internal static async Task FeedAsync(TestNode node, string key, int from, int count)
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        for (var i = from; i < from + count; i++)
        {
            Assert.IsType<TaskReplies.Accepted>(await node.Region.Ask<object>(Frames.Moving(key, i) with { CaptureTime = start + i * 0.1 }, TimeSpan.FromSeconds(10)));
            Assert.IsType<TaskReplies.Accepted>(await node.Region.Ask<object>(new TaskCommands.AddStatus(key, i % 3 == 0), TimeSpan.FromSeconds(10)));
        }
    }

    /// <summary>Waits until the task holds <paramref name="frames"/> encoded frames and none pending.</summary>
    internal static Task AwaitFramesAsync(TestNode node, string key, int frames) => Poll.UntilAsync(async () =>
    {
        var snapshot = await node.Region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(key), TimeSpan.FromSeconds(10));
        Assert.Equal((frames, 0), (snapshot.FrameCount, snapshot.FramesPending));
    }, TimeSpan.FromSeconds(30));

    private static string Cluster(TestNode node) => Akka.Cluster.Cluster.Get(node.ActorSystem).SelfAddress.ToString();

    /// <summary>Waits until the page shows exactly these events, in this order.</summary>
    private static async Task AwaitCardsAsync(IPage page, params TaskEvents.EventRegistered[] expected)
    {
        var ids = JsonSerializer.Serialize(expected.Select(e => e.EventId.ToString()).ToArray());
        try
        {
            await page.WaitForFunctionAsync(
                $"() => JSON.stringify([...document.querySelectorAll('.event-card')].map(c => c.dataset.eventId)) === {JsonSerializer.Serialize(ids)}", null, Patience);
        }
        catch (TimeoutException)
        {
            var shown = await page.Locator(".event-card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.eventId)");
            Assert.Fail($"expected cards {ids}, the page shows [{string.Join(", ", shown)}] at {page.Url}");
        }
    }

    /// <summary>A datetime-local value as Chrome normalises it (UTC, the browser's zone; no trailing zeros in the fraction) <paramref name="millis"/> ms beside <paramref name="timestamp"/>, rounded away from it.</summary>
    private static string LocalInput(double timestamp, int millis)
    {
        var ms = millis < 0 ? (long)Math.Floor(timestamp * 1000) + millis : (long)Math.Ceiling(timestamp * 1000) + millis;
        return DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF", CultureInfo.InvariantCulture);
    }

    private static Mat Decode(byte[] png) => Cv2.ImDecode(png, ImreadModes.Color);

    /// <summary>Within 2 px of <paramref name="point"/> the stroke's colour shows with the boxes on, and not without them.</summary>
    private static void AssertStroke(Mat drawn, Mat plain, (int X, int Y) point, (int R, int G, int B) colour, string what)
    {
        var nearest = Nearest(drawn, point, colour);
        Assert.True(nearest < 60, $"{what}: no pixel near {point} in the box colour (closest is {nearest:F0} away)");
        Assert.True(Nearest(plain, point, colour) >= 60, $"{what}: the frame itself has the box colour at {point}");
    }

    private static double Nearest(Mat image, (int X, int Y) point, (int R, int G, int B) colour)
    {
        var best = double.MaxValue;
        for (var dy = -2; dy <= 2; dy++)
        for (var dx = -2; dx <= 2; dx++)
        {
            var (x, y) = (Math.Clamp(point.X + dx, 0, image.Width - 1), Math.Clamp(point.Y + dy, 0, image.Height - 1));
            var p = image.At<Vec3b>(y, x);
            best = Math.Min(best, Math.Max(Math.Abs(p.Item2 - colour.R), Math.Max(Math.Abs(p.Item1 - colour.G), Math.Abs(p.Item0 - colour.B))));
        }
        return best;
    }

    private static int Difference(Mat a, Mat b, (int X, int Y) point)
    {
        var (p, q) = (a.At<Vec3b>(point.Y, point.X), b.At<Vec3b>(point.Y, point.X));
        return Math.Max(Math.Abs(p.Item0 - q.Item0), Math.Max(Math.Abs(p.Item1 - q.Item1), Math.Abs(p.Item2 - q.Item2)));
    }
}
