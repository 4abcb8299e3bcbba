using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Tests.Text;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void A_stop_inside_one_chunk_cuts_the_text_just_before_it()
    {
        var matcher = new StopStringMatcher(["STOP"]);

        var match = matcher.Push("Hello STOP and the rest");

        Assert.Equal(new StopMatch("Hello ", "STOP"), match);
        Assert.True(match.Stopped);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void A_stop_split_across_single_character_chunks_is_caught()
    {
        const string text = "The answer is 42.\n\nUser: what else?";
        var matcher = new StopStringMatcher(["\n\nUser:"]);
        var emitted = "";
        StopMatch match = default;

        foreach (var c in text)
        {
            match = matcher.Push(c.ToString());
            emitted += match.Text;
            if (match.Stopped)
            {
                break;
            }
        }

        Assert.True(match.Stopped);
        Assert.Equal("\n\nUser:", match.StopString);
        Assert.Equal("The answer is 42.", emitted);
    }

    [Fact]
    public void A_held_back_prefix_is_released_when_the_text_diverges()
    {
        var matcher = new StopStringMatcher(["</s>"]);

        Assert.Equal(new StopMatch("abc", null), matcher.Push("abc</"));
        Assert.Equal(new StopMatch("</div>", null), matcher.Push("div>"));
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Flush_releases_text_held_at_the_end_of_generation()
    {
        var matcher = new StopStringMatcher(["<stop>"]);

        Assert.Equal(new StopMatch("the end ", null), matcher.Push("the end <st"));
        Assert.Equal("<st", matcher.Flush());
    }

    [Fact]
    public void With_several_stops_the_earliest_match_wins_whatever_the_chunking()
    {
        string[] stops = ["###", "\nQ:"];
        const string text = "Answer: 7\nQ: next ### end";

        var whole = new StopStringMatcher(stops).Push(text);

        Assert.Equal(new StopMatch("Answer: 7", "\nQ:"), whole);
        Assert.Equal(whole, PushCharByChar(new StopStringMatcher(stops), text));
    }

    [Fact]
    public void Overlapping_stops_end_where_the_first_one_completes()
    {
        // "bc" is complete at "xabc", before "abcd" could be; one chunk must agree with char-by-char.
        string[] stops = ["abcd", "bc"];

        Assert.Equal(new StopMatch("xa", "bc"), new StopStringMatcher(stops).Push("xabcdy"));
        Assert.Equal(new StopMatch("xa", "bc"), PushCharByChar(new StopStringMatcher(stops), "xabcdy"));
    }

    [Fact]
    public void Without_a_stop_all_text_comes_out_unchanged_only_possible_stop_starts_wait()
    {
        var matcher = new StopStringMatcher(["STOP", "\n\n"]);
        string[] chunks = ["Hello", " wor", "ld!\n", "Stay", " calm", " ST", "ART."];
        string[] expected = ["Hello", " wor", "ld!", "\nStay", " calm", " ", "START."];

        var emitted = chunks.Select(matcher.Push).ToArray();

        Assert.Equal(expected.Select(text => new StopMatch(text, null)), emitted);
        Assert.Equal(string.Empty, matcher.Flush());
        Assert.Equal(string.Concat(chunks), string.Concat(emitted.Select(m => m.Text)));
    }

    [Fact]
    public void No_stop_strings_pass_everything_through()
    {
        var matcher = new StopStringMatcher([]);

        Assert.Equal(new StopMatch("anything </s>", null), matcher.Push("anything </s>"));
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Bad_stop_lists_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["a", "b", "c", "d", "e"]));
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["ok", ""]));
        Assert.Throws<ArgumentException>(() => new StopStringMatcher([null!]));
    }

    [Fact]
    public void Pushing_after_a_stop_is_an_error()
    {
        var matcher = new StopStringMatcher(["x"]);
        Assert.True(matcher.Push("x").Stopped);

        Assert.Throws<InvalidOperationException>(() => matcher.Push("more"));
    }

    private static StopMatch PushCharByChar(StopStringMatcher matcher, string text)
    {
        var emitted = "";
        foreach (var c in text)
        {
            var match = matcher.Push(c.ToString());
            emitted += match.Text;
            if (match.Stopped)
            {
                return match with { Text = emitted };
            }
        }

        return new StopMatch(emitted + matcher.Flush(), null);
    }
}
