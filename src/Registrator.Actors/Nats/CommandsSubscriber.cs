using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Contracts;

namespace Registrator.Actors.Nats;

/// <summary>
/// The <see cref="NatsBridge"/>'s actor for <c>commands-subject</c> (<c>registrator.commands</c>), request/reply:
/// <code>
///   subscription ─► parse ─► Ask (parallelism, the command's timeout) ─► reply JSON to the requester ─► outcomes
/// </code>
/// Unordered: each request has its own reply subject, and a long <c>register</c> must not hold up the replies behind it.
/// Created by the bridge only.
/// </summary>
internal sealed class CommandsSubscriber(BridgeContext bridge) : NatsSubjectActor(bridge, ConnectionRole, bridge.Settings.CommandsSubject)
{
    private const string ConnectionRole = "commands";

    public static Props Props(BridgeContext bridge) => Akka.Actor.Props.Create(() => new CommandsSubscriber(bridge));

    protected override UniqueKillSwitch Run(IMaterializer materializer)
    {
        var (settings, delivery) = (Settings, Delivery);
        return Subscription(settings.MaxPayload, settings.PendingCapacity)
            .Via(TaskDelivery.Stage<NatsMsg<Payload>>(settings.Parallelism, request => ExecuteAsync(delivery, settings, request), ordered: false))
            .ToMaterialized(Outcomes(), Keep.Left)
            .Run(materializer);
    }

    /// <summary>Runs one request and answers it; returns what went wrong, if anything.</summary>
    private static async Task<BadInput?> ExecuteAsync(TaskDelivery delivery, NatsSettings settings, NatsMsg<Payload> request)
    {
        var parsed = BridgeCommand.Parse(request.Data, settings);
        BadInput? outcome;
        byte[] reply;
        if (parsed.Value is not { } command)
        {
            outcome = parsed.Error;
            reply = CommandReply.Error(outcome!.Detail);
        }
        else
        {
            var (answer, failure) = await delivery.AskAsync<object>(command.Message, command.Message.TaskKey, command.Timeout).ConfigureAwait(false);
            if (answer is null)
            {
                outcome = failure;
                reply = CommandReply.Error(failure?.Detail ?? "the registrator is shutting down", command.Message.TaskKey);
            }
            else
            {
                reply = CommandReply.From(answer);
                outcome = answer switch
                {
                    TaskReplies.Rejected rejected => TaskDelivery.Rejected(rejected),
                    TaskEvents.RegistrationFailed failed => new BadInput(BadInputReason.TaskRejected, $"[{failed.TaskKey}] registration failed: {failed.Reason}"),
                    _ => null,
                };
            }
        }
        // A request published without a reply subject is still carried out; there is just no one to answer.
        if (request.ReplyTo is null) return outcome;
        try
        {
            await request.ReplyAsync(reply, cancellationToken: delivery.Token).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception e)
        {
            // Shutting down: the requester times out, as it would if this node had died.
            if (delivery.Token.IsCancellationRequested) return outcome;
            return outcome ?? new BadInput(BadInputReason.PublishFailed, $"reply to {request.ReplyTo} not sent: {e.Message}");
        }
    }
}
