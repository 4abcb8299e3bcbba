namespace EpdCluster.Gateway.Tests;

public sealed class GatewayProjectTests
{
    [Fact]
    public void Gateway_options_default_to_the_all_in_one_worker()
    {
        Assert.True(new EpdCluster.Gateway.Hosting.GatewayOptions().EmbeddedWorker);
    }
}
