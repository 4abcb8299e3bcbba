using EpdCluster.Runtime.Client;

namespace EpdCluster.Runtime.Tests;

/// <summary>Tiles go to the encoders with the fewest waiting: idle ones share them, a backlogged one is passed over.</summary>
public sealed class TileAssignmentTests
{
    [Fact]
    public void Idle_encoders_share_an_images_tiles_round_robin()
    {
        var assigned = TileAssignment.Assign([0, 0, 0], 7);

        Assert.Equal([0, 1, 2, 0, 1, 2, 0], assigned);
    }

    [Fact]
    public void An_encoder_with_a_backlog_gets_no_tile_while_the_others_are_below_it()
    {
        // encode-1 kept its queue when three workers were moved to encode: new requests must not wait behind it.
        var assigned = TileAssignment.Assign([120, 0, 0, 0], 14);

        Assert.DoesNotContain(0, assigned);
        Assert.Equal([5, 5, 4], [.. Enumerable.Range(1, 3).Select(e => assigned.Count(a => a == e))]);
    }

    [Fact]
    public void Uneven_queues_are_levelled_before_any_encoder_goes_above_the_others()
    {
        var assigned = TileAssignment.Assign([0, 2, 5], 6);

        Assert.Equal([4, 2, 0], [.. Enumerable.Range(0, 3).Select(e => assigned.Count(a => a == e))]);
        Assert.Equal([0, 0, 0, 1, 0, 1], assigned);
    }

    [Fact]
    public void No_encoders_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TileAssignment.Assign([], 3));
    }
}
