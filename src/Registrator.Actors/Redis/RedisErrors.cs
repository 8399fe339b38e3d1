using StackExchange.Redis;

namespace Registrator.Actors.Redis;

/// <summary>
/// Tells a write that retrying can fix (the server away, slow, loading, busy, out of memory) from one it cannot: the
/// same command against the same keys fails the same way however often it is sent (a key of the wrong type, an ACL
/// that denies the command). Pure: looks only at the exception.
/// <para>
/// Anything not known to be permanent is transient: wrongly retrying costs a delay, wrongly giving up costs the event
/// its place in Redis (it waits in the dead letters for an operator).
/// </para>
/// </summary>
public static class RedisErrors
{
    // The first word of a Redis error reply. A script's redis.call passes the failing command's reply through, so
    // these also start the message of a failed EVAL/EVALSHA.
    private static readonly string[] PermanentCodes = ["WRONGTYPE", "NOPERM"];

    // "ERR …" covers both kinds ("max number of clients reached" passes); only these say the command itself is wrong.
    private static readonly string[] PermanentErrMessages =
    [
        "ERR unknown command", "ERR wrong number of arguments", "ERR syntax error", "ERR value is not",
        "ERR Error running script", "ERR user_script",
    ];

    /// <summary>True when sending the same command again cannot succeed.</summary>
    public static bool IsPermanent(Exception exception)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) return IsPermanent(aggregate.InnerExceptions[0]);
        // RedisServerException is the server's error reply; connection, timeout and cancellation are other types.
        if (exception is not RedisServerException server) return false;
        var message = server.Message.TrimStart();
        foreach (var code in PermanentCodes)
            if (StartsWithWord(message, code) || message.Contains(" " + code + " ", StringComparison.Ordinal)) return true;
        foreach (var prefix in PermanentErrMessages)
            if (message.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static bool StartsWithWord(string message, string word) =>
        message.StartsWith(word, StringComparison.Ordinal) && (message.Length == word.Length || !char.IsLetterOrDigit(message[word.Length]));
}
