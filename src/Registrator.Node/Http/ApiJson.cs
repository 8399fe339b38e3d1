using System.Text.Encodings.Web;
using System.Text.Json;

namespace Registrator.Node.Http;

/// <summary>
/// How the HTTP API writes JSON: snake_case names, as the Redis members and the Python module spell them, and non-ASCII
/// task keys left readable (answers are application/json with nosniff, never HTML).
/// </summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
