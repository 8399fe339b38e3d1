using StackExchange.Redis;

namespace Registrator.Actors.EventStore;

/// <summary>What the <see cref="EventStoreActor"/> sends itself: the results of the work it runs off its thread, and its timers.</summary>
internal static class EventStoreSignals
{
    internal sealed record RecoveryFailed(Exception Cause) : ISelfMessage;
    internal sealed record OutboxDone(OutboxOperation Operation, object Result) : ISelfMessage;
    internal sealed record OutboxFailed(OutboxOperation Operation, Exception Cause) : ISelfMessage;
    internal sealed record Delivered(Guid EventId) : ISelfMessage;
    internal sealed record DeliveryFailed(Guid EventId, Exception Cause) : ISelfMessage;
    internal sealed record DeadLettered(DeadLetter Letter) : ISelfMessage;
    internal sealed record DeadLetterFailed(Guid EventId, Exception Cause) : ISelfMessage;
    internal sealed record RedisConnected(IConnectionMultiplexer Multiplexer) : ISelfMessage;
    internal sealed record RedisConnectFailed(Exception Cause) : ISelfMessage;

    // Timer keys and their messages: one instance each, so a new timer replaces the one before.
    internal sealed record RedisRestored : ISelfMessage { public static readonly RedisRestored Instance = new(); }
    internal sealed record RetryDelivery : ISelfMessage { public static readonly RetryDelivery Instance = new(); }
    internal sealed record RetryOutbox : ISelfMessage { public static readonly RetryOutbox Instance = new(); }
    internal sealed record RetryRecovery : ISelfMessage { public static readonly RetryRecovery Instance = new(); }
}
