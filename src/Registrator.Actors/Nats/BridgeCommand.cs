using System.Text.Json;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;

namespace Registrator.Actors.Nats;

/// <summary>
/// A request on <c>registrator.commands</c> read into the protocol message the <see cref="NatsBridge"/> asks the task, and
/// how long it waits for the answer. Request JSON:
/// <c>{"command": "create|add-status|clear|stop|register|delete|get|most-common", "key": "...", "flag": true, "message": {...}}</c>;
/// <c>flag</c> is required by <c>add-status</c>; <c>message</c> (a JSON object) is optional for <c>add-status</c> and
/// <c>register</c> (which then registers with <c>{}</c>).
/// </summary>
public sealed record BridgeCommand(string Name, ITaskMessage Message, TimeSpan Timeout)
{
    /// <summary>The command names, as clients send them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["create", "add-status", "clear", "stop", "register", "delete", "get", "most-common"];

    public static Parsed<BridgeCommand> Parse(Payload payload, NatsSettings settings)
    {
        if (payload.TooLarge)
            return new BadInput(BadInputReason.PayloadTooLarge, $"{payload.Length} bytes, more than max-payload ({settings.MaxPayload} bytes)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.Bytes ?? []);
        }
        catch (JsonException e)
        {
            return new BadInput(BadInputReason.InvalidJson, "request is not JSON: " + e.Message);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new BadInput(BadInputReason.NotAnObject, "request must be a JSON object");
            var name = root.TryGetProperty("command", out var command) && command.ValueKind == JsonValueKind.String ? command.GetString() : null;
            if (name is null || !Names.Contains(name))
                return new BadInput(BadInputReason.UnknownCommand, $"unknown command '{name}'; expected one of {string.Join(", ", Names)}");
            if (!root.TryGetProperty("key", out var keyElement) || keyElement.ValueKind != JsonValueKind.String
                || keyElement.GetString() is not { Length: > 0 } key)
                return new BadInput(BadInputReason.MissingKey, "'key' must be a non-empty string");
            var (message, badMessage) = ReadMessage(root);
            if (badMessage is not null) return badMessage;
            bool? flag = root.TryGetProperty("flag", out var flagElement) && flagElement.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? flagElement.GetBoolean()
                : null;
            if (name == "add-status" && flag is null)
                return new BadInput(BadInputReason.InvalidCommand, "add-status needs 'flag': true or false");
            ITaskMessage taskMessage = name switch
            {
                "create" => new CreateTask(key),
                "add-status" => new AddStatus(key, flag!.Value, message),
                "clear" => new ClearStatuses(key),
                "stop" => new StopTask(key),
                "register" => new RegisterTask(key, message ?? "{}"),
                "delete" => new DeleteTask(key),
                "get" => new GetTask(key),
                _ => new GetMostCommon(key),
            };
            // Registration answers once the clip is written and the event recorded: it needs the longer wait.
            var timeout = name == "register" ? settings.RegisterTimeout : settings.AskTimeout;
            return new BridgeCommand(name, taskMessage, timeout);
        }
    }

    /// <summary>The optional <c>message</c>: absent or null is none; anything but an object is bad input.</summary>
    private static (string? Json, BadInput? Error) ReadMessage(JsonElement root)
    {
        if (!root.TryGetProperty("message", out var message) || message.ValueKind == JsonValueKind.Null) return (null, null);
        return message.ValueKind == JsonValueKind.Object
            ? (message.GetRawText(), null)
            : (null, new BadInput(BadInputReason.InvalidCommand, "'message' must be a JSON object"));
    }
}
