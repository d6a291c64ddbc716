using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>Cases found in review: an unchanged tree with new leaves, monitoring obligations, proofs without lookups.</summary>
public sealed class ReviewRegressionTests
{
    [Fact]
    public void An_up_to_date_client_verifies_a_fixed_version_search_that_goes_left_under_a_same_head()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 50);
        // One label: version i is published at entry i.
        ulong now = LogFixture.PublishRoundRobin(log, entries: 30, labels: 1, start: 1_000, step: 10);

        var first = new SearchRequest(null, LogFixture.Label(0), null);
        ClientState state = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, first, log.Search(first), now).State;

        // Version 3 went in at entry 3, left of the root (15): the search visits entries the client never saw.
        var old = new SearchRequest(state.TreeSize, LogFixture.Label(0), 3);
        SearchResponse response = log.Search(old);
        Assert.Equal(FullTreeHeadType.Same, response.FullTreeHead.HeadType);
        Assert.NotEmpty(response.Search.Timestamps);
        VerifiedSearch verified = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, state, old, response, now);
        Assert.Equal(BitConverter.GetBytes(3), verified.Value.Value);
        Assert.Equal(state, verified.State);

        // The same response with a changed timestamp must fail: the retained subtree no longer matches.
        var tampered = response with { Search = response.Search with { Timestamps = [.. response.Search.Timestamps.Select(t => t + 1)] } };
        var e = Assert.Throws<KtVerificationException>(() => SearchVerifier.Verify(LogFixture.Suite, log.Configuration, state, old, tampered, now));
        Assert.True(e.Failure is VerificationFailure.RetainedValueMismatch or VerificationFailure.TimestampsNotMonotonic, e.Message);
    }

    [Fact]
    public void The_monitoring_obligation_follows_the_terminal_entry()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 30);
        for (int i = 0; i < 13; i++)
        {
            if (i is 0 or 9 or 12)
            {
                log.Stage(LogFixture.Label(2), [(byte)i]);
            }

            log.Sequence((ulong)(10 * i));
        }

        // Timestamps 10·i and RMW 30: entry 11 is the rightmost distinguished entry; version 2 went in at entry 12.
        var request = new SearchRequest(null, LogFixture.Label(2), null);
        VerifiedSearch latest = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, log.Search(request), 120);
        Assert.Equal(12UL, latest.TerminalPosition);
        Assert.True(latest.MustMonitor);

        var older = new SearchRequest(null, LogFixture.Label(2), 0);
        VerifiedSearch atZero = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, older, log.Search(older), 120);
        Assert.False(atZero.MustMonitor);
    }

    [Fact]
    public void A_prefix_proof_without_lookups_carries_exactly_the_root()
    {
        var root = Hash32.From(System.Security.Cryptography.SHA256.HashData("root"u8));
        var hasher = LogFixture.Suite.TreeHashes;
        Assert.Equal(root, PrefixProofVerifier.ComputeRoot([], new PrefixProof([], [root]), new Dictionary<int, Hash32>(), hasher));
        Assert.Throws<KtVerificationException>(() =>
            PrefixProofVerifier.ComputeRoot([], new PrefixProof([], [root, Hash32.Zero]), new Dictionary<int, Hash32>(), hasher));
        Assert.Throws<KtVerificationException>(() =>
            PrefixProofVerifier.ComputeRoot([], new PrefixProof([], []), new Dictionary<int, Hash32>(), hasher));
    }

    [Fact]
    public void Objects_the_decoder_would_never_build_are_rejected_not_crashed_on()
    {
        var key = Hash32.From(System.Security.Cryptography.SHA256.HashData("k"u8));
        var forged = new PrefixProof([new PrefixSearchResult(PrefixSearchResultType.NonInclusionLeaf, null, 0)], []);
        Assert.Throws<KtVerificationException>(() =>
            PrefixProofVerifier.ComputeRoot([key], forged, new Dictionary<int, Hash32>(), LogFixture.Suite.TreeHashes));
    }
}
