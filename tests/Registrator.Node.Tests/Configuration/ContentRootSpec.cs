using System.Collections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registrator.Actors.Configuration;

namespace Registrator.Node.Tests.Configuration;

/// <summary>
/// A node's host watches its content root (subfolders included) for configuration to reload: that root is the node's
/// own folder, never the folder it was started in, which may be the TMP_PATH its clips are written to. The spec changes
/// the process's working folder, so it runs alone.
/// </summary>
[Collection(nameof(WorkingFolderCollection))]
public sealed class ContentRootSpec
{
    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public void A_node_started_in_another_folder_keeps_its_own_folder_as_content_root(string http)
    {
        var config = RegistratorConfig.Load($"registrator.http.enabled = {http}", environment: new Hashtable());
        var started = Directory.CreateTempSubdirectory("registrator-cwd-").FullName;
        var before = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = started;

            using var host = NodeHost.Build(config);

            var root = Path.TrimEndingDirectorySeparator(host.Services.GetRequiredService<IHostEnvironment>().ContentRootPath);
            Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), root);
            Assert.NotEqual(started, root);
        }
        finally
        {
            Environment.CurrentDirectory = before;
            Directory.Delete(started, recursive: true);
        }
    }
}

/// <summary>Specs that change the process's working folder: they run while no other spec does.</summary>
[CollectionDefinition(nameof(WorkingFolderCollection), DisableParallelization = true)]
public sealed class WorkingFolderCollection;
