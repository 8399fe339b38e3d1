namespace Registrator.Actors.Tests.Json;

/// <summary>The key every wire-format spec writes: Cyrillic, a slash, quotes, a backslash and a tab.</summary>
internal static class WireKey
{
    public const string Key = "камера/вход-1 \"q\" \\ <&>\t'+";

    /// <summary><see cref="Key"/> as a JSON string in the one policy: UTF-8 as is, only <c>" \</c> and control characters escaped.</summary>
    public const string Json = "\"камера/вход-1 \\\"q\\\" \\\\ <&>\\t'+\"";

    public static byte[] JsonUtf8 => System.Text.Encoding.UTF8.GetBytes(Json);
}
