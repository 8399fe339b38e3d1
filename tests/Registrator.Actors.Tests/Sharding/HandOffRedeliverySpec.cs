using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Sharding;
using Registrator.Contracts;
using Xunit;

namespace Registrator.Actors.Tests.Sharding;

/// <summary>
/// What a shard region drops on HandOff reaches the system's dead letters as Akka.NET's ShardRegion sends it (a
/// <see cref="Dropped"/> with the hand-off reason, told to DeadLetters); the redelivery sends it back to the region
/// with its sender, and leaves every other dead letter alone.
/// </summary>
public sealed class HandOffRedeliverySpec : TestKit
{
    [Fact]
    public void A_message_dropped_on_hand_off_goes_back_to_the_region_with_its_sender()
    {
        var region = CreateTestProbe();
        var camera = CreateTestProbe();
        var redelivery = Sys.ActorOf(HandOffRedelivery.Props(region.Ref));
        var frame = new ShardingEnvelope("cam-1", new TaskCommands.ClearStatuses("cam-1"));
        AwaitSubscribed(redelivery);

        Sys.DeadLetters.Tell(new Dropped(frame, HandOffDrop.Reason, camera.Ref, ActorRefs.NoSender));

        Assert.Same(frame, region.ExpectMsg<ShardingEnvelope>());
        Assert.Equal(camera.Ref, region.LastSender);
    }

    [Fact]
    public void Other_dead_letters_are_not_resent()
    {
        var region = CreateTestProbe();
        var redelivery = Sys.ActorOf(HandOffRedelivery.Props(region.Ref));
        AwaitSubscribed(redelivery);

        Sys.DeadLetters.Tell(new Dropped("full", "Buffer for [cam-1] is full", TestActor, ActorRefs.NoSender));
        Sys.DeadLetters.Tell(new ShardingEnvelope("cam-1", "to nobody"), TestActor);
        var marker = new ShardingEnvelope("marker", "after");
        Sys.DeadLetters.Tell(new Dropped(marker, HandOffDrop.Reason, TestActor, ActorRefs.NoSender));

        // Dead letters are published in the order they were told: the first thing the region gets is the marker.
        Assert.Same(marker, region.ExpectMsg<ShardingEnvelope>());
    }

    /// <summary>The actor subscribes in PreStart; it answers Identify only once that has run.</summary>
    private void AwaitSubscribed(IActorRef redelivery)
    {
        redelivery.Tell(new Identify("started"));
        ExpectMsg<ActorIdentity>();
    }
}
