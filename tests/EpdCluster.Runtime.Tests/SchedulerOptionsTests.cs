using EpdCluster.Runtime.Scheduling;
using EpdCluster.Runtime.Switching;

namespace EpdCluster.Runtime.Tests;

public sealed class SchedulerOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_follow_the_issue_and_the_peers()
    {
        var options = new SchedulerOptions();
        options.Validate();
        new RoleSwitchOptions().Validate();

        Assert.Equal(TimeSpan.FromSeconds(30), options.Window);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Cooldown);
        Assert.Equal(0.9, options.AttainmentTarget);
        Assert.Equal(1, options.MinWorkersPerRole);
    }

    [Theory]
    [InlineData(nameof(SchedulerOptions.TtftSloSeconds), "Epd:Scheduler:TtftSloSeconds")]
    [InlineData(nameof(SchedulerOptions.AttainmentTarget), "Epd:Scheduler:AttainmentTarget")]
    [InlineData(nameof(SchedulerOptions.MinWorkersPerRole), "Epd:Scheduler:MinWorkersPerRole")]
    [InlineData(nameof(SchedulerOptions.SlackMargin), "Epd:Scheduler:SlackMargin")]
    public void Bad_values_fail_naming_the_setting(string property, string setting)
    {
        var options = new SchedulerOptions();
        switch (property)
        {
            case nameof(SchedulerOptions.TtftSloSeconds): options.TtftSloSeconds = 0; break;
            case nameof(SchedulerOptions.AttainmentTarget): options.AttainmentTarget = 1.2; break;
            case nameof(SchedulerOptions.MinWorkersPerRole): options.MinWorkersPerRole = 0; break;
            default: options.SlackMargin = 0.2; break;
        }

        var error = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void A_drain_poll_interval_longer_than_the_drain_timeout_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(new RoleSwitchOptions { DrainTimeout = TimeSpan.FromSeconds(1), DrainPollInterval = TimeSpan.FromSeconds(2) }.Validate);
        Assert.Contains("Epd:Switch:DrainPollInterval", error.Message);
    }
}
