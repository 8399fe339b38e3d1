using System.Text.Json;

namespace Registrator.Actors.Tasks;

/// <summary>
/// An inference result's flag under a task's own <c>min-score</c> (a <c>registrator.trigger.overrides</c> entry): its
/// boolean <c>detected</c> when present, else whether any of <c>result.scores</c> reaches the threshold — the bridge's
/// rule, with the task's number. Only tasks with an override pay for reading the message again.
/// </summary>
public static class DetectionFlag
{
    /// <summary>The flag, or <c>null</c> when the message says nothing either way (the bridge's flag then stands).</summary>
    public static bool? Of(ReadOnlyMemory<byte> message, double minScore)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("detected", out var detected) && detected.ValueKind is JsonValueKind.True or JsonValueKind.False)
                return detected.GetBoolean();
            if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object) return null;
            if (!result.TryGetProperty("scores", out var scores)) return false;
            if (scores.ValueKind != JsonValueKind.Array) return null;
            foreach (var score in scores.EnumerateArray())
            {
                if (score.ValueKind == JsonValueKind.Number && score.GetDouble() >= minScore) return true;
            }
            return false;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
