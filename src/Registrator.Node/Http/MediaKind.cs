namespace Registrator.Node.Http;

/// <summary>The two files of an event, as <c>/media/{eventId}/clip.mp4</c> and <c>/media/{eventId}/keyframe.jpg</c> name them.</summary>
internal enum MediaKind
{
    /// <summary><c>&lt;output-path&gt;/&lt;uuid&gt;/&lt;uuid&gt;.mp4</c>, served as video/mp4.</summary>
    Clip,
    /// <summary><c>&lt;output-path&gt;/&lt;uuid&gt;/&lt;uuid&gt;.jpg</c>, served as image/jpeg.</summary>
    Keyframe,
}
