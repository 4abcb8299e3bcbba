using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Tests;

public sealed class AdmissionControllerTests
{
    [Fact]
    public async Task Requests_run_up_to_the_limit_queue_up_to_theirs_and_the_rest_are_refused()
    {
        var admission = new AdmissionController(new GatewayLimits { MaxRunningRequests = 2, MaxQueuedRequests = 1 });

        var first = await admission.TryEnterAsync(CancellationToken.None);
        var second = await admission.TryEnterAsync(CancellationToken.None);
        var queued = admission.TryEnterAsync(CancellationToken.None).AsTask();
        var refused = await admission.TryEnterAsync(CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.False(queued.IsCompleted);
        Assert.Null(refused);
        Assert.Equal((2, 1), (admission.Running, admission.Queued));

        first.Dispose();
        first.Dispose(); // a second dispose frees nothing more
        var third = await queued.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(third);
        Assert.Equal((2, 0), (admission.Running, admission.Queued));
        second.Dispose();
        third.Dispose();
        Assert.Equal((0, 0), (admission.Running, admission.Queued));
    }

    [Fact]
    public async Task A_queued_request_whose_client_leaves_gives_its_queue_place_back()
    {
        var admission = new AdmissionController(new GatewayLimits { MaxRunningRequests = 1, MaxQueuedRequests = 1 });
        var running = await admission.TryEnterAsync(CancellationToken.None);
        using var leaving = new CancellationTokenSource();

        var waiting = admission.TryEnterAsync(leaving.Token).AsTask();
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var next = admission.TryEnterAsync(CancellationToken.None).AsTask();

        Assert.False(next.IsCompleted); // queued in the freed place, not refused
        running!.Dispose();
        using var admitted = await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(admitted);
    }
}
