using System.Net;
using System.Net.Http.Headers;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary><c>/media/{eventId}/clip.mp4|keyframe.jpg</c>: the files' bytes, range requests, and nothing else on disk.</summary>
[Collection(RegisteredEvents.Collection)]
public sealed class MediaSpec(RegisteredEvents events)
{
    private TestNode Node => events.Node;

    [Fact]
    public async Task A_clip_is_served_as_video_mp4_with_the_files_bytes_and_accepts_ranges()
    {
        using var response = await Node.Http.GetAsync($"/media/{events.A1.EventId}/clip.mp4");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.Equal(await File.ReadAllBytesAsync(events.A1.VideoPath!), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_keyframe_is_served_as_image_jpeg()
    {
        using var response = await Node.Http.GetAsync($"/media/{events.B1.EventId}/keyframe.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(events.B1.ImagePath!), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(100L, 1099L)]
    [InlineData(0L, 0L)]
    [InlineData(1000L, null)]
    public async Task A_range_request_answers_206_with_exactly_those_bytes(long from, long? to)
    {
        var file = await File.ReadAllBytesAsync(events.A2.VideoPath!);
        var last = to ?? file.Length - 1;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/media/{events.A2.EventId}/clip.mp4");
        request.Headers.Range = new RangeHeaderValue(from, to);

        using var response = await Node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"bytes {from}-{last}/{file.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(file[(int)from..(int)(last + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_suffix_range_answers_the_last_bytes_and_a_range_past_the_end_is_416()
    {
        var file = await File.ReadAllBytesAsync(events.A2.VideoPath!);
        using var suffix = new HttpRequestMessage(HttpMethod.Get, $"/media/{events.A2.EventId}/clip.mp4");
        suffix.Headers.Range = new RangeHeaderValue(null, 500);
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/media/{events.A2.EventId}/clip.mp4");
        beyond.Headers.Range = new RangeHeaderValue(file.Length + 10, null);

        using var last = await Node.Http.SendAsync(suffix);
        using var unsatisfiable = await Node.Http.SendAsync(beyond);

        Assert.Equal(HttpStatusCode.PartialContent, last.StatusCode);
        Assert.Equal(file[^500..], await last.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal($"bytes */{file.Length}", unsatisfiable.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Traversal_attempts_and_other_names_are_not_found()
    {
        var id = events.A1.EventId;
        string[] targets =
        [
            "/media/..%2F..%2Fetc%2Fpasswd/clip.mp4",
            "/media/..%2f..%2f..%2f..%2fetc%2fpasswd/clip.mp4",
            $"/media/{id}/../../x",
            $"/media/{id}/../../../../etc/passwd",
            $"/media/{id}/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
            $"/media/{id}/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            $"/media/{id}%2F..%2F{events.B1.EventId}/clip.mp4",
            "/media/not-a-guid/clip.mp4",
            $"/media/{id:N}/clip.mp4",
            $"/media/{id}/{id}.mp4",
            $"/media/{id}/clip.MP4",
            $"/media/{Guid.NewGuid()}/clip.mp4",
        ];

        foreach (var target in targets)
        {
            var (status, body) = await RawHttp.GetAsync(Node.BaseAddress, target);
            Assert.True(status == 404, $"{target}: expected 404, got {status}");
            Assert.DoesNotContain("root:", body);
        }
    }

    [Fact]
    public async Task A_symlinked_event_folder_or_file_is_not_served_even_though_the_file_behind_it_exists()
    {
        var clip = await File.ReadAllBytesAsync(events.A1.VideoPath!);
        // A folder that links outside the output path, holding a clip of the right name.
        var linkedFolder = Guid.NewGuid();
        var outsideFolder = Path.Combine(Node.Outside, "elsewhere");
        Directory.CreateDirectory(outsideFolder);
        await File.WriteAllBytesAsync(Path.Combine(outsideFolder, $"{linkedFolder}.mp4"), clip);
        Directory.CreateSymbolicLink(Path.Combine(Node.OutputPath, linkedFolder.ToString()), outsideFolder);
        // A real folder whose clip is a link to a file outside.
        var linkedFile = Guid.NewGuid();
        Directory.CreateDirectory(Path.Combine(Node.OutputPath, linkedFile.ToString()));
        var secret = Path.Combine(Node.Outside, "secret.mp4");
        await File.WriteAllBytesAsync(secret, clip);
        File.CreateSymbolicLink(Path.Combine(Node.OutputPath, linkedFile.ToString(), $"{linkedFile}.mp4"), secret);
        // The same bytes in a plain folder are served: the links alone make the difference.
        var plain = Guid.NewGuid();
        Directory.CreateDirectory(Path.Combine(Node.OutputPath, plain.ToString()));
        await File.WriteAllBytesAsync(Path.Combine(Node.OutputPath, plain.ToString(), $"{plain}.mp4"), clip);

        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/media/{linkedFolder}/clip.mp4")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/media/{linkedFile}/clip.mp4")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"/media/{plain}/clip.mp4")).StatusCode);
    }
}
