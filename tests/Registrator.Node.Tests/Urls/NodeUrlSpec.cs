using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Node.Configuration;
using Registrator.Node.Http;
using Registrator.Node.Urls;

namespace Registrator.Node.Tests.Urls;

/// <summary><c>registrator.http.public-url</c> and the URL a node derives from where it listens.</summary>
public sealed class NodeUrlSpec
{
    [Fact]
    public void Public_url_defaults_to_empty_and_is_kept_without_its_trailing_slash()
    {
        var defaults = HttpSettings.From(RegistratorConfig.Load(environment: new System.Collections.Hashtable()));
        var set = HttpSettings.From(ConfigurationFactory.ParseString("registrator.http.public-url = \"http://10.0.0.5:8080/\"").WithFallback(RegistratorConfig.Defaults));

        Assert.Null(defaults.PublicUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), defaults.ProxyTimeout);
        Assert.Equal("http://10.0.0.5:8080", set.PublicUrl);
    }

    [Theory]
    [InlineData("10.0.0.5:8080")]
    [InlineData("ftp://10.0.0.5/")]
    [InlineData("http://10.0.0.5:8080/?x=1")]
    public void A_public_url_that_is_not_an_absolute_http_url_stops_the_node_naming_the_key(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            HttpSettings.From(ConfigurationFactory.ParseString($"registrator.http.public-url = \"{value}\"").WithFallback(RegistratorConfig.Defaults)));

        Assert.Contains("registrator.http.public-url", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:41234/", "node-a", "http://127.0.0.1:41234")]
    [InlineData("http://0.0.0.0:8080/", "10.0.0.5", "http://10.0.0.5:8080")]
    [InlineData("http://[::]:8080/", "node-a.local", "http://node-a.local:8080")]
    [InlineData("http://localhost:8080/", "10.0.0.5", "http://localhost:8080")]
    public void The_derived_url_is_the_listen_address_with_an_unspecified_one_replaced_by_the_cluster_host_name(string listening, string host, string expected)
    {
        Assert.Equal(expected, NodeUrl.Derive(new Uri(listening), host));
    }

    [Fact]
    public void A_fixed_listen_port_gives_the_url_before_the_server_starts_and_port_0_waits_for_it()
    {
        Assert.Equal("http://10.0.0.5:9090", NodeUrl.FromListen(ListenAddress.Parse("0.0.0.0:9090"), "10.0.0.5"));
        Assert.Equal("http://[::1]:9090", NodeUrl.FromListen(ListenAddress.Parse("[::1]:9090"), "x"));
        Assert.Null(NodeUrl.FromListen(ListenAddress.Parse("127.0.0.1:0"), "x"));
    }
}
