using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using NATS.Client.Core;
using Registrator.Contracts;

namespace Registrator.Actors.Nats;

/// <summary>
/// The <see cref="NatsBridge"/>'s actor for <c>commands-subject</c> (<c>registrator.commands</c>), request/reply:
/// <code>
///   subscription ─► parse ─┬► Ask (parallelism, ask-timeout) ───────────────────┬► reply JSON to the requester ─► outcomes
///                          └► register: Ask (registrations-in-flight, register-timeout) ┘
/// </code>
/// Unordered: each request has its own reply subject. A <c>register</c> waits for its event (seconds, up to the
/// registration timeout), so registrations wait apart: <c>parallelism</c> of them in progress would otherwise take every
/// slot and hold up each <c>get</c> and <c>add-status</c> behind them until one event is written.
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
            .Select(request => new Request(request, BridgeCommand.Parse(request.Data, settings)))
            .Via(Flow.FromGraph(GraphDsl.Create(builder =>
            {
                var byKind = builder.Add(new Partition<Request>(2, request => request.Parsed.Value?.Name == "register" ? 1 : 0));
                var merge = builder.Add(new Merge<Option<BadInput>>(2));
                builder.From(byKind.Out(0)).Via(Execute(settings.Parallelism, delivery)).To(merge.In(0));
                builder.From(byKind.Out(1)).Via(Execute(settings.RegistrationsInFlight, delivery)).To(merge.In(1));
                return new FlowShape<Request, Option<BadInput>>(byKind.In, merge.Out);
            })))
            .ToMaterialized(Outcomes(), Keep.Left)
            .Run(materializer);
    }

    /// <summary>A request and what it was read as.</summary>
    private sealed record Request(NatsMsg<Payload> Message, Parsed<BridgeCommand> Parsed);

    private static Flow<Request, Option<BadInput>, NotUsed> Execute(int inFlight, TaskDelivery delivery) =>
        TaskDelivery.Stage<Request>(inFlight, request => ExecuteAsync(delivery, request.Message, request.Parsed), ordered: false);

    /// <summary>Runs one request and answers it; returns what went wrong, if anything.</summary>
    private static async Task<BadInput?> ExecuteAsync(TaskDelivery delivery, NatsMsg<Payload> request, Parsed<BridgeCommand> parsed)
    {
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
