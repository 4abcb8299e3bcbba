using EpdCluster.Abstractions;
using EpdCluster.Runtime.Hosting;
using Microsoft.Extensions.Configuration;

namespace EpdCluster.Runtime.Tests;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void Defaults_are_valid_single_machine_localhost_clustering()
    {
        var options = Read();

        Assert.Equal(ClusteringMode.Localhost, options.Clustering);
        Assert.Equal("127.0.0.1", options.AdvertisedAddress);
        Assert.Equal(11111, options.SiloPort);
        Assert.Equal(30000, options.GatewayPort);
    }

    [Fact]
    public void Command_line_style_keys_override_the_defaults()
    {
        var options = Read(("Clustering", "Redis"), ("Redis", "127.0.0.1:6400"), ("SiloPort", "21000"), ("GatewayPort", "31000"));

        Assert.Equal(ClusteringMode.Redis, options.Clustering);
        Assert.Equal("127.0.0.1:6400", options.Redis);
        Assert.Equal(21000, options.SiloPort);
        Assert.Equal(31000, options.GatewayPort);
    }

    [Theory]
    [InlineData("Clustering", "Redis", "Redis (a connection string")]
    [InlineData("SiloPort", "0", "SiloPort must be a TCP port")]
    [InlineData("GatewayPort", "70000", "GatewayPort must be a TCP port")]
    [InlineData("GatewayPort", "11111", "must differ")]
    [InlineData("AdvertisedAddress", "localhost-ish", "is not an IP address")]
    [InlineData("ClusterId", " ", "ClusterId must not be empty")]
    [InlineData("ResponseTimeout", "00:00:00", "ResponseTimeout must be positive")]
    public void Bad_settings_fail_at_start_up_naming_the_setting(string key, string value, string expectedMessage)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read((key, value)));

        Assert.Contains(expectedMessage, error.Message);
        Assert.Contains("Epd:Cluster:", error.Message);
    }

    [Fact]
    public void Worker_roles_come_from_the_host_unless_configuration_overrides_them()
    {
        Assert.Equal([WorkerRole.Encode], new EpdWorkerOptions().ResolveRoles([WorkerRole.Encode]));
        Assert.Equal([WorkerRole.Prefill, WorkerRole.Decode], new EpdWorkerOptions { Roles = "prefill,decode" }.ResolveRoles([WorkerRole.Encode]));

        var error = Assert.Throws<InvalidOperationException>(() => new EpdWorkerOptions { Roles = "encoder,gpu" }.ResolveRoles([WorkerRole.Encode]));
        Assert.Contains("Epd:Worker:Roles", error.Message);
        Assert.Contains("'gpu'", error.Message);
    }

    [Fact]
    public void Worker_id_defaults_to_roles_and_silo_port()
    {
        Assert.Equal("encode-prefill-21000", new EpdWorkerOptions().ResolveId([WorkerRole.Encode, WorkerRole.Prefill], 21000));
        Assert.Equal("decode-7", new EpdWorkerOptions { Id = "decode-7" }.ResolveId([WorkerRole.Decode], 21000));
    }

    private static EpdClusterOptions Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{EpdClusterOptions.SectionName}:{s.Key}", s.Value)))
            .Build();
        return configuration.ReadEpdClusterOptions();
    }
}
