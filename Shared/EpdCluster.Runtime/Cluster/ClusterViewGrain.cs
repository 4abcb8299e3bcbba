using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Cluster;
using Orleans.Concurrency;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace EpdCluster.Runtime.Cluster;

/// <summary>Answers from the local silo's membership snapshot and silo-metadata cache.</summary>
[StatelessWorker]
internal sealed class ClusterViewGrain(IClusterMembershipService membership, ISiloMetadataCache metadata) : Grain, IClusterViewGrain
{
    public Task<ClusterView> GetView()
    {
        var snapshot = membership.CurrentSnapshot;
        var silos = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(ToView)
            .ToList();
        return Task.FromResult(new ClusterView(silos, snapshot.Version.Value));
    }

    private SiloView ToView(ClusterMember member)
    {
        var entries = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
        var roles = entries.TryGetValue(EpdSiloMetadata.Roles, out var text) ? WorkerRoles.ParseList(text) : [];
        entries.TryGetValue(EpdSiloMetadata.WorkerId, out var workerId);
        return new SiloView(member.SiloAddress.ToParsableString(), member.Name, workerId, roles, member.Status.ToString());
    }
}
