using Registrator.Actors.EventStore;


namespace Registrator.Integration.Tests.EventStore;

/// <summary>The name a node's events carry as node_id: stable across restarts on the same TMP_PATH.</summary>
public sealed class NodeNameSpec : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_node_without_a_configured_name_keeps_the_one_it_made_in_its_output_folder()
    {
        var media = _temp.Combine("media");

        var first = NodeName.Resolve(null, media);
        var afterRestart = NodeName.Resolve(null, media);

        Assert.True(Guid.TryParse(first, out _), first);
        Assert.Equal(first, afterRestart);
        Assert.Equal(first, File.ReadAllText(Path.Combine(media, NodeName.FileName)).Trim());
        Assert.NotEqual(first, NodeName.Resolve(null, _temp.Combine("another-disk")));
    }

    [Fact]
    public void A_configured_name_wins_and_leaves_the_folder_alone()
    {
        var media = _temp.Combine("media");

        Assert.Equal("registrator-0", NodeName.Resolve("  registrator-0 ", media));
        Assert.False(File.Exists(Path.Combine(media, NodeName.FileName)));
    }

    [Fact]
    public void Nodes_starting_on_one_folder_at_once_agree_on_its_name()
    {
        var media = _temp.Combine("shared");

        var names = Enumerable.Range(0, 8).AsParallel().Select(_ => NodeName.Resolve(null, media)).ToArray();

        Assert.Single(names.Distinct());
        Assert.Equal([NodeName.FileName], Directory.GetFiles(media).Select(Path.GetFileName));
    }

    public void Dispose() => _temp.Dispose();
}
