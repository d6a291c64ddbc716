using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// Swapping any two entries of any list in a response — timestamps, prefix proofs, prefix roots, log-tree
/// elements, ladder steps, prefix-proof results and elements — is rejected, for a first contact and a returning
/// client.
/// </summary>
public sealed class FieldSwapTests
{
    [Fact]
    public void Every_swap_of_two_list_entries_is_rejected()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 250);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 40, labels: 4, start: 50_000, step: 100);

        byte[] label = LogFixture.Label(1);
        var first = new SearchRequest(null, label, null);
        SearchResponse firstResponse = log.Search(first);
        ClientState state = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, first, firstResponse, now).State;
        for (int i = 0; i < 9; i++)
        {
            log.Stage(LogFixture.Label(i % 2), BitConverter.GetBytes(100 + i));
            log.Sequence(now += 100);
        }

        var again = new SearchRequest(state.TreeSize, label, null);
        SearchResponse againResponse = log.Search(again);

        int checkedSwaps = 0;
        foreach ((SearchRequest request, SearchResponse response, ClientState? retained) in new[] { (first, firstResponse, (ClientState?)null), (again, againResponse, state) })
        {
            Assert.NotNull(SearchVerifier.Verify(LogFixture.Suite, log.Configuration, retained, request, response, now));
            foreach (SearchResponse swapped in Swaps(response))
            {
                checkedSwaps++;
                var e = Record.Exception(() => SearchVerifier.Verify(LogFixture.Suite, log.Configuration, retained, request, swapped, now));
                Assert.True(e is KtVerificationException or KtFormatException, $"a swap was accepted or failed oddly: {e}");
            }
        }

        Assert.True(checkedSwaps > 30, $"only {checkedSwaps} swaps");
    }

    private static IEnumerable<SearchResponse> Swaps(SearchResponse r)
    {
        CombinedTreeProof p = r.Search;
        foreach (var t in SwapsOf(p.Timestamps))
        {
            yield return r with { Search = p with { Timestamps = t } };
        }

        foreach (var proofs in SwapsOf(p.PrefixProofs))
        {
            yield return r with { Search = p with { PrefixProofs = proofs } };
        }

        foreach (var roots in SwapsOf(p.PrefixRoots))
        {
            yield return r with { Search = p with { PrefixRoots = roots } };
        }

        foreach (var elements in SwapsOf(p.Inclusion.Elements))
        {
            yield return r with { Search = p with { Inclusion = new InclusionProof(elements) } };
        }

        foreach (var steps in SwapsOf(r.BinaryLadder))
        {
            yield return r with { BinaryLadder = steps };
        }

        for (int i = 0; i < p.PrefixProofs.Count; i++)
        {
            PrefixProof proof = p.PrefixProofs[i];
            var variants = SwapsOf(proof.Results).Select(results => proof with { Results = results })
                .Concat(SwapsOf(proof.Elements).Select(elements => proof with { Elements = elements }));
            foreach (PrefixProof variant in variants)
            {
                var proofs = p.PrefixProofs.ToArray();
                proofs[i] = variant;
                yield return r with { Search = p with { PrefixProofs = proofs } };
            }
        }
    }

    /// <summary>Every list obtained by exchanging two entries that differ.</summary>
    private static IEnumerable<T[]> SwapsOf<T>(IReadOnlyList<T> items)
    {
        for (int i = 0; i < items.Count; i++)
        {
            for (int j = i + 1; j < items.Count; j++)
            {
                if (EqualityComparer<T>.Default.Equals(items[i], items[j]))
                {
                    continue; // swapping equal entries changes nothing
                }

                T[] copy = [.. items];
                (copy[i], copy[j]) = (copy[j], copy[i]);
                yield return copy;
            }
        }
    }
}
