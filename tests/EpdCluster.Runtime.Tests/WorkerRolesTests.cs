using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Tests;

public sealed class WorkerRolesTests
{
    [Theory]
    [InlineData("encode", new[] { WorkerRole.Encode })]
    [InlineData(" Prefill , decode ", new[] { WorkerRole.Prefill, WorkerRole.Decode })]
    [InlineData("encode,prefill,decode", new[] { WorkerRole.Encode, WorkerRole.Prefill, WorkerRole.Decode })]
    [InlineData("decode,decode", new[] { WorkerRole.Decode })]
    public void Role_lists_parse_in_order_without_duplicates(string text, WorkerRole[] expected)
    {
        Assert.Equal(expected, WorkerRoles.ParseList(text));
    }

    [Fact]
    public void An_unknown_role_is_named_in_the_error()
    {
        var error = Assert.Throws<FormatException>(() => WorkerRoles.ParseList("encode,render"));
        Assert.Contains("'render'", error.Message);
    }

    [Fact]
    public void Formatting_round_trips_through_parsing()
    {
        var text = WorkerRoles.Format(WorkerRoles.All);
        Assert.Equal("encode,prefill,decode", text);
        Assert.Equal(WorkerRoles.All, WorkerRoles.ParseList(text));
    }
}
