using System.Collections;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Actors.Configuration;
using Xunit;

namespace Registrator.Actors.Tests.Configuration;

/// <summary>
/// Sharding and CoordinatedShutdown wait long enough for a moving task to finish its registrations and save its state:
/// their timeouts follow from registrator.task.registration-timeout unless the configuration sets them.
/// </summary>
public sealed class HandoffTimeoutsSpec
{
    [Fact]
    public void By_default_the_hand_off_outlasts_a_registration_and_the_state_save()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable());

        // 5m registration + 5s Redis command + 10s margin; the shutdown phase 10s more.
        Assert.Equal(TimeSpan.FromSeconds(315), config.GetTimeSpan(HandoffTimeouts.HandoffTimeoutPath));
        Assert.Equal(TimeSpan.FromSeconds(325), config.GetTimeSpan(HandoffTimeouts.ShutdownRegionTimeoutPath));
    }

    [Fact]
    public void A_shorter_registration_timeout_shortens_both()
    {
        var config = RegistratorConfig.Load("registrator.task.registration-timeout = 30s\nregistrator.redis.command-timeout = 2s", new Hashtable());

        Assert.Equal(TimeSpan.FromSeconds(42), config.GetTimeSpan(HandoffTimeouts.HandoffTimeoutPath));
        Assert.Equal(TimeSpan.FromSeconds(52), config.GetTimeSpan(HandoffTimeouts.ShutdownRegionTimeoutPath));
    }

    [Fact]
    public void Timeouts_the_configuration_sets_are_kept()
    {
        var config = RegistratorConfig.Load(
            "akka.cluster.sharding.handoff-timeout = 90s\nakka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 2m",
            new Hashtable());

        Assert.Equal(TimeSpan.FromSeconds(90), config.GetTimeSpan(HandoffTimeouts.HandoffTimeoutPath));
        Assert.Equal(TimeSpan.FromMinutes(2), config.GetTimeSpan(HandoffTimeouts.ShutdownRegionTimeoutPath));
    }

    [Fact]
    public void A_set_hand_off_timeout_still_gets_a_shutdown_phase_that_outlasts_it()
    {
        var config = RegistratorConfig.Load("akka.cluster.sharding.handoff-timeout = 90s", new Hashtable());

        Assert.Equal(TimeSpan.FromSeconds(100), config.GetTimeSpan(HandoffTimeouts.ShutdownRegionTimeoutPath));
    }

    [Fact]
    public async Task A_started_system_uses_the_derived_timeouts()
    {
        var config = RegistratorConfig.Load("""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            registrator.task.registration-timeout = 1m
            """, new Hashtable());
        var system = ActorSystem.Create("registrator", config);

        Assert.Equal(TimeSpan.FromSeconds(75), ClusterSharding.Get(system).Settings.TuningParameters.HandOffTimeout);
        Assert.Equal(TimeSpan.FromSeconds(85), CoordinatedShutdown.Get(system).Timeout(CoordinatedShutdown.PhaseClusterShardingShutdownRegion));
        await system.Terminate();
    }
}
