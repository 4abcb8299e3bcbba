using EpdCluster.Gateway.Hosting;

namespace EpdCluster.Gateway.Tests;

public sealed class GatewayOptionsTests
{
    [Fact]
    public void The_default_limits_are_valid_and_match_the_documented_values()
    {
        var limits = new GatewayLimits();

        limits.Validate();
        Assert.Equal(32L * 1024 * 1024, limits.MaxRequestBodyBytes);
        Assert.Equal(8, limits.MaxImagesPerRequest);
    }

    [Theory]
    [InlineData(nameof(GatewayLimits.MaxRunningRequests))]
    [InlineData(nameof(GatewayLimits.MaxQueuedRequests))]
    [InlineData(nameof(GatewayLimits.MaxRequestBodyBytes))]
    [InlineData(nameof(GatewayLimits.MaxTokensLimit))]
    [InlineData(nameof(GatewayLimits.RetryAfterSeconds))]
    public void A_bad_limit_stops_start_up_naming_the_setting(string setting)
    {
        var limits = new GatewayLimits();
        typeof(GatewayLimits).GetProperty(setting)!.SetValue(limits, Convert.ChangeType(-1, typeof(GatewayLimits).GetProperty(setting)!.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var error = Assert.Throws<InvalidOperationException>(limits.Validate);

        Assert.Contains($"Epd:Gateway:Limits:{setting}", error.Message);
    }

    [Fact]
    public void An_empty_api_key_stops_start_up_naming_it()
    {
        var options = new GatewayOptions { ApiKeys = ["good", " "] };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("Epd:Gateway:ApiKeys:1", error.Message);
    }
}
