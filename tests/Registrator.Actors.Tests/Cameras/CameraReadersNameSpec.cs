using Registrator.Actors.Cameras;
using Registrator.Actors.Configuration;
using Xunit;

namespace Registrator.Actors.Tests.Cameras;

public sealed class CameraReadersNameSpec
{
    [Fact]
    public void The_daemon_name_depends_on_the_keys_and_sources_in_order_only()
    {
        CameraSettings A(double fps = 10, bool loop = true) => new("a", "/data/a.mp4", fps, loop, RegistratorSettings.Defaults.CameraReader);
        var b = new CameraSettings("b", "/data/b.mp4", 10, true, RegistratorSettings.Defaults.CameraReader);
        var name = CameraReaders.DaemonName([A(), b]);

        Assert.Matches("^cameras-[0-9a-f]{16}$", name);
        Assert.Equal(name, CameraReaders.DaemonName([A(fps: 5, loop: false), b]));
        Assert.NotEqual(name, CameraReaders.DaemonName([b, A()]));
        Assert.NotEqual(name, CameraReaders.DaemonName([A(), b with { Source = "/data/c.mp4" }]));
        Assert.NotEqual(name, CameraReaders.DaemonName([A(), b with { Key = "c" }]));
        Assert.NotEqual(name, CameraReaders.DaemonName([A()]));
        Assert.NotEqual(CameraReaders.DaemonName([new CameraSettings("a1", "x", 10, true, RegistratorSettings.Defaults.CameraReader)]),
            CameraReaders.DaemonName([new CameraSettings("a", "1x", 10, true, RegistratorSettings.Defaults.CameraReader)]));
    }
}
