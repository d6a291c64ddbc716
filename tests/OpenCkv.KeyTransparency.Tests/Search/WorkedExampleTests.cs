using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// KT Appendix C.1 with concrete values: 13 entries with timestamps T_i = 10·i and a monitoring window of 30 (so
/// T_12 − T_7 ≥ RMW > T_12 − T_11 and entry 11 is the rightmost distinguished entry), a client that last saw 4
/// entries, and a label whose greatest version is 2 (versions inserted at entries 0, 2 and 9).
/// </summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public void The_combined_proof_has_exactly_the_structure_of_the_worked_example()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 30);
        byte[] label = LogFixture.Label(7);
        var insertions = new Dictionary<int, byte[]> { [0] = [0], [2] = [1], [9] = [2] };
        ClientState? state = null;
        for (int i = 0; i < 13; i++)
        {
            if (insertions.TryGetValue(i, out byte[]? value))
            {
                log.Stage(label, value);
            }

            log.Sequence((ulong)(10 * i));
            if (i == 3)
            {
                var first = new SearchRequest(null, label, null);
                state = SearchVerifier.VerifyGreatestVersion(LogFixture.Suite, log.Configuration, null, first, log.Search(first), 30).State;
            }
        }

        Assert.Equal(4UL, state!.TreeSize);
        Assert.Equal(new ulong[] { 3 }, state.Frontier.Select(e => e.Position));

        var request = new SearchRequest(4, label, null);
        SearchResponse response = log.Search(request);
        CombinedTreeProof proof = response.Search;

        Assert.Equal(new ulong[] { 70, 110, 120 }, proof.Timestamps);                       // T_7, T_11, T_12
        Assert.Equal(new uint[] { 0, 1, 3, 2 }, BinaryLadder.Search(2, 2));                // the VRF proofs sent
        Assert.Equal(4, response.BinaryLadder.Count);
        Assert.Equal(2, proof.PrefixProofs.Count);
        Assert.Equal(
            new[] { PrefixSearchResultType.Inclusion, PrefixSearchResultType.Inclusion, PrefixSearchResultType.NonInclusionParent, PrefixSearchResultType.Inclusion },
            proof.PrefixProofs[0].Results.Select(r => r.ResultType == PrefixSearchResultType.NonInclusionLeaf ? PrefixSearchResultType.NonInclusionParent : r.ResultType));
        Assert.Single(proof.PrefixProofs[1].Results);                                        // only version 3 at entry 12
        Assert.NotEqual(PrefixSearchResultType.Inclusion, proof.PrefixProofs[1].Results[0].ResultType);
        Assert.Single(proof.PrefixRoots);                                                    // entry 7's root
        Assert.Equal(4, proof.Inclusion.Elements.Count);                                     // [4,6), 6, [8,10), 10
        Assert.Equal(
            new[] { new LogRange(4, 2), new LogRange(6, 1), new LogRange(8, 2), new LogRange(10, 1) },
            LogTreeProof.PlanElements(new LogProofShape(13, [7, 11, 12], retainedSize: 4)));

        VerifiedSearch verified = SearchVerifier.VerifyGreatestVersion(LogFixture.Suite, log.Configuration, state, request, response, 120);
        Assert.Equal(2u, verified.Version);
        Assert.Equal(11UL, verified.TerminalPosition);
        Assert.Equal(new ulong[] { 7, 11, 12 }, verified.State.Frontier.Select(e => e.Position));
    }
}
