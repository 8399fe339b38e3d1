namespace Registrator.Contracts.Tests;

/// <summary>The tests' port picker: fixtures pick several ports before they start anything.</summary>
public sealed class FreePortSpec
{
    [Fact]
    public void No_port_is_handed_out_twice_in_one_process()
    {
        // The OS picks a closed ephemeral port again soon; among a few thousand picks some would repeat.
        var ports = Enumerable.Range(0, 3000).Select(_ => FreePort.Next()).ToArray();

        Assert.Equal(ports.Length, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1024, 65535));
    }
}
