using System.Net;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Node.Configuration;
using Registrator.Node.Http;

namespace Registrator.Node.Tests.Http;

/// <summary><c>registrator.http</c> and the listen address, parsed without starting anything.</summary>
public sealed class HttpSettingsSpec
{
    [Fact]
    public void The_defaults_listen_on_loopback_port_8080_without_a_token()
    {
        var settings = HttpSettings.From(RegistratorConfig.Load(environment: new System.Collections.Hashtable()));

        Assert.True(settings.Enabled);
        Assert.Equal((IPAddress.Loopback, 8080), (settings.Listen.Address, settings.Listen.Port));
        Assert.Null(settings.Token);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.AskTimeout);
    }

    [Fact]
    public void REGISTRATOR_HTTP_sets_the_listen_address()
    {
        var environment = new System.Collections.Hashtable { ["REGISTRATOR_HTTP"] = "0.0.0.0:9090" };

        var settings = HttpSettings.From(RegistratorConfig.Load(environment: environment));

        Assert.Equal((IPAddress.Any, 9090, false), (settings.Listen.Address, settings.Listen.Port, settings.Listen.IsLoopback));
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.1:0/", "127.0.0.1:0", true)]
    [InlineData("[::1]:8080", "[::1]:8080", true)]
    [InlineData("[::]:80", "[::]:80", false)]
    [InlineData("localhost:8081", "localhost:8081", true)]
    [InlineData("10.1.2.3:8080", "10.1.2.3:8080", false)]
    public void Listen_addresses_parse_to_exactly_what_was_written(string text, string expected, bool loopback)
    {
        var address = ListenAddress.Parse(text);

        Assert.Equal((expected, loopback), (address.ToString(), address.IsLoopback));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("example.com:8080")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":8080")]
    [InlineData("")]
    public void A_listen_address_without_a_port_or_with_a_host_name_is_refused(string text) =>
        Assert.Throws<FormatException>(() => ListenAddress.Parse(text));

    [Fact]
    public void A_page_size_above_the_maximum_is_refused_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("registrator.http { default-page-size = 600, max-page-size = 500 }");

        var error = Assert.Throws<ConfigurationException>(() => HttpSettings.From(config.WithFallback(RegistratorConfig.Defaults)));

        Assert.Contains("default-page-size", error.Message);
    }
}
