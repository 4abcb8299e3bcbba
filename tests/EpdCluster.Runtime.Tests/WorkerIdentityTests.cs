using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Hosting;

namespace EpdCluster.Runtime.Tests;

public sealed class WorkerIdentityTests
{
    [Fact]
    public void A_draining_worker_accepts_no_new_work_and_a_switch_changes_its_roles_but_not_its_starting_roles()
    {
        var identity = new WorkerIdentity("decode-1", [WorkerRole.Decode]);
        Assert.True(identity.Accepts(WorkerRole.Decode));
        Assert.False(identity.Accepts(WorkerRole.Prefill));

        identity.BeginDrain();
        Assert.True(identity.Draining);
        Assert.False(identity.Accepts(WorkerRole.Decode));

        identity.SwitchTo([WorkerRole.Prefill]);
        Assert.False(identity.Draining);
        Assert.True(identity.Accepts(WorkerRole.Prefill));
        Assert.False(identity.Accepts(WorkerRole.Decode));
        Assert.Equal([WorkerRole.Decode], identity.StartingRoles);
    }

    [Fact]
    public void Routing_skips_a_directory_entry_that_is_draining()
    {
        var worker = new WorkerInfo("decode-1", "silo", [WorkerRole.Decode], null, WorkerLoad.Empty, DateTime.UtcNow);

        Assert.True(worker.Accepts(WorkerRole.Decode));
        Assert.False((worker with { Draining = true }).Accepts(WorkerRole.Decode));
        Assert.True((worker with { Draining = true }).Has(WorkerRole.Decode));
    }
}
