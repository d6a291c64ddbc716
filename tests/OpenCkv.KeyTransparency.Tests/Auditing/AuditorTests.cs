using OpenCkv.KeyTransparency.Auditing;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Auditing;

/// <summary>
/// The third-party auditor (KT §15.2) and the client's auditor-head checks (§11.3): over randomized histories the
/// auditor follows the log root for root and clients verify every answer with the auditor's heads; the auditor
/// refuses updates that are reordered, dropped, rewritten or byte-flipped and stays where it was; removals obey step
/// 5; clients refuse auditor heads that lag too far or are not signed over the root.
/// </summary>
public sealed class AuditorTests
{
    [Theory]
    [InlineData(71)]
    [InlineData(72)]
    public void The_auditor_follows_an_honest_log_and_clients_verify_with_its_heads(int seed)
    {
        var random = new Random(seed);
        var audited = new AuditedLog();
        var states = new Dictionary<int, ClientState?>();
        ulong now = 1_000_000;
        int verified = 0;
        for (int step = 0; step < 300; step++)
        {
            now += (ulong)random.Next(0, 200);
            for (int u = random.Next(0, 5); u > 0; u--)
            {
                audited.Log.Stage(LogFixture.Label(random.Next(0, 40)), [(byte)step]);
            }

            audited.Sequence(now, audit: random.Next(0, 3) != 0); // the auditor sometimes lags an entry or two
            Assert.True(audited.Auditor.TreeSize == 0 || audited.Auditor.TreeSize <= audited.Log.Size);
            if (audited.Log.AuditorHead is null || random.Next(0, 2) == 0)
            {
                continue;
            }

            int label = random.Next(0, 40);
            states.TryGetValue(label, out ClientState? state);
            var request = new SearchRequest(state?.TreeSize, LogFixture.Label(label), null);
            SearchResponse response;
            try
            {
                response = audited.Log.Search(request);
            }
            catch (ArgumentException)
            {
                continue; // the label has no version yet
            }

            VerifiedSearch result = SearchVerifier.Verify(LogFixture.Suite, audited.Configuration, state, request, Decode(response, audited), now);
            Assert.False(result.MustMonitor); // with an auditor, contact monitoring is not required (KT §8)
            Assert.NotNull(result.State.AuditorHead);
            states[label] = result.State;
            verified++;
        }

        audited.CatchUp();
        Assert.True(verified > 50, $"only {verified} searches");
        Assert.Equal(audited.Log.Size, audited.Auditor.TreeSize);
    }

    [Fact]
    public void Reordered_dropped_rewritten_or_flipped_updates_are_refused_and_change_nothing()
    {
        var audited = new AuditedLog();
        ulong now = 1_000_000;
        for (int i = 0; i < 6; i++)
        {
            audited.Log.Stage(LogFixture.Label(i), [1]);
            audited.Log.Stage(LogFixture.Label(i + 10), [2]);
            audited.Sequence(now += 100, audit: false);
        }

        Auditor auditor = audited.Auditor;
        auditor.Process(audited.Log.AuditorUpdateFor(0));
        AuditorUpdate next = audited.Log.AuditorUpdateFor(1);

        // Reordered or dropped: entry 2's update where entry 1's belongs does not fit the previous root.
        Assert.Throws<KtVerificationException>(() => auditor.Process(audited.Log.AuditorUpdateFor(2)));

        // Rewritten: the added leaves are the log's claim, which no proof covers; another commitment gives another
        // root, so the head the auditor signs cannot match the log's (the next test).
        PrefixLeaf[] rewritten = [.. next.Added];
        rewritten[0] = rewritten[0] with { Commitment = Hash32.From(new byte[32]) };
        Hash32 honestRoot = Root(AuditedLog.RoundTrip(next), audited);
        Assert.NotEqual(honestRoot, Root(next with { Added = rewritten }, audited));

        // Every single-byte change is refused by the codec or the checks, or — only in the added leaves, which the
        // auditor takes as the log's claim — gives a different root, so the head it signs cannot match the log's.
        byte[] encoded = TlsCodec.Encode(next);
        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Hash32? root = null;
            bool refused = Rejection.Rejected(() => root = Root(TlsCodec.Decode<AuditorUpdate>(mutated), audited));
            Assert.True(refused || root != honestRoot, $"flipped byte {i} of {encoded.Length} gave the honest root");
        }

        Assert.Equal(1UL, auditor.TreeSize);
        auditor.Process(next);
        Assert.Equal(2UL, auditor.TreeSize);
    }

    [Fact]
    public void A_head_signed_over_another_root_is_refused_by_the_log()
    {
        var audited = new AuditedLog();
        audited.Log.Stage(LogFixture.Label(1), [1]);
        audited.Sequence(1_000_000, audit: false);
        AuditorUpdate update = audited.Log.AuditorUpdateFor(0);
        PrefixLeaf[] rewritten = [update.Added[0] with { Commitment = Hash32.From(new byte[32]) }];
        audited.Auditor.Process(update with { Added = rewritten });
        Assert.Throws<ArgumentException>(() => audited.Log.AcceptAuditorHead(audited.Auditor.Sign()));
        Assert.Null(audited.Log.AuditorHead);
    }

    [Fact]
    public void Clients_refuse_auditor_heads_that_lag_too_far_or_do_not_sign_the_root()
    {
        var audited = new AuditedLog(maxAuditorLag: 500);
        audited.Log.Stage(LogFixture.Label(1), [1]);
        audited.Sequence(1_000_000);
        audited.Sequence(1_000_400, audit: false); // 400 ms behind: within the lag
        var request = new SearchRequest(null, LogFixture.Label(1), null);
        SearchVerifier.Verify(LogFixture.Suite, audited.Configuration, null, request, audited.Log.Search(request), 1_000_400);

        audited.Sequence(1_000_700, audit: false); // 700 ms behind
        var e = Assert.Throws<KtVerificationException>(() =>
            SearchVerifier.Verify(LogFixture.Suite, audited.Configuration, null, request, audited.Log.Search(request), 1_000_700));
        Assert.Equal(VerificationFailure.AuditorHeadNotFresh, e.Failure);

        audited.CatchUp();
        SearchResponse response = audited.Log.Search(request);
        AuditorTreeHead honest = response.FullTreeHead.AuditorTreeHead!;
        byte[] forged = (byte[])honest.Signature.Clone();
        forged[^1] ^= 1;
        SearchResponse tampered = response with { FullTreeHead = response.FullTreeHead with { AuditorTreeHead = honest with { Signature = forged } } };
        Assert.Equal(
            VerificationFailure.SignatureInvalid,
            Assert.Throws<KtVerificationException>(() => SearchVerifier.Verify(LogFixture.Suite, audited.Configuration, null, request, tampered, 1_000_700)).Failure);
    }

    [Fact]
    public void Every_single_byte_change_of_an_audited_search_response_is_rejected()
    {
        var audited = new AuditedLog();
        ulong now = 1_000_000;
        for (int i = 0; i < 20; i++)
        {
            audited.Log.Stage(LogFixture.Label(i % 4), [(byte)i]);
            audited.Sequence(now += 100);
        }

        var request = new SearchRequest(null, LogFixture.Label(2), null);
        var writer = new TlsWriter();
        audited.Log.Search(request).Encode(writer, versionRequested: false, audited.Configuration.Mode);
        byte[] encoded = writer.ToArray();
        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.True(Rejection.Rejected(() => Verify(audited, request, mutated, now)), $"flipped byte {i} of {encoded.Length} was accepted");
        }
    }

    [Fact]
    public void Removals_need_a_distinguished_entry_first_and_a_removed_then_restored_leaf_gives_the_same_root()
    {
        var audited = new AuditedLog(window: 1_000);
        Auditor auditor = audited.Auditor;
        var hasher = LogFixture.Suite.TreeHashes;

        // A's key starts with bit 1, every other key with bit 0: removing A leaves no lone leaf to move up, so the tree
        // without A is exactly the tree built from the others.
        PrefixLeaf a = Leaf(0x80, 1), b = Leaf(0x10, 2), c = Leaf(0x20, 3), late = Leaf(0x30, 4);
        var withoutA = PrefixTree.Empty(hasher).Insert([b, c]);
        var withA = withoutA.Insert([a]);
        ulong t = 10_000_000;
        auditor.Process(Added(PrefixTree.Empty(hasher), t, b, c)); // entry 0
        auditor.Process(Added(withoutA, t += 10, a));                   // entry 1
        for (int i = 2; i < 5; i++)
        {
            auditor.Process(new AuditorUpdate(t += 10, [], [], withA.Search([])));
        }

        var withLate = withA.Insert([late]);
        auditor.Process(Added(withA, t += 10, late));                   // entry 5
        auditor.Process(new AuditorUpdate(t += 10, [], [], withLate.Search([]))); // entry 6

        // 'late' went in at entry 5; in the tree of 8, entries 5 and 6 lie under entry 3's right, 40 ms from their
        // bounds: neither is distinguished, so it cannot go yet.
        var tooEarly = new AuditorUpdate(t + 10, [], [late], withLate.Search([late.VrfOutput]));
        Assert.Throws<KtVerificationException>(() => auditor.Process(tooEarly));
        Assert.Equal(7UL, auditor.TreeSize);

        // A went in at entry 1, on the leftmost path, which is distinguished: it may go.
        var tree = withA.Insert([late]);
        auditor.Process(new AuditorUpdate(t += 10, [], [a], tree.Search([a.VrfOutput])));   // entry 7
        Hash32 afterRemoval = auditor.PrefixRoot;
        Assert.Equal(withoutA.Insert([late]).Root, afterRemoval);
        auditor.Process(Added(withoutA.Insert([late]), t += 10, a));                        // entry 8: A again
        Assert.Equal(tree.Root, auditor.PrefixRoot);
    }

    private static PrefixLeaf Leaf(byte first, byte commitment)
    {
        var key = new byte[32];
        key[0] = first;
        key[31] = commitment;
        var value = new byte[32];
        value[0] = commitment;
        return new PrefixLeaf(Hash32.From(key), Hash32.From(value));
    }

    private static AuditorUpdate Added(PrefixTree before, ulong timestamp, params PrefixLeaf[] leaves)
    {
        PrefixLeaf[] sorted = [.. leaves.OrderBy(l => l.VrfOutput.ToString(), StringComparer.Ordinal)];
        return new AuditorUpdate(timestamp, sorted, [], before.Search(sorted.Select(l => l.VrfOutput).ToArray()));
    }

    /// <summary>The root a fresh auditor at entry 0's state reaches with this update for entry 1.</summary>
    private static Hash32 Root(AuditorUpdate update, AuditedLog audited)
    {
        var auditor = Auditor.Create(LogFixture.Suite, audited.Configuration, audited.AuditorKey);
        auditor.Process(audited.Log.AuditorUpdateFor(0));
        return auditor.Process(update);
    }

    private static VerifiedSearch Verify(AuditedLog audited, SearchRequest request, byte[] encoded, ulong now)
    {
        var reader = new TlsReader(encoded);
        SearchResponse response = SearchResponse.Decode(ref reader, versionRequested: false, audited.Configuration.Mode);
        reader.EnsureEnd();
        return SearchVerifier.Verify(LogFixture.Suite, audited.Configuration, null, request, response, now);
    }

    private static SearchResponse Decode(SearchResponse response, AuditedLog audited)
    {
        var writer = new TlsWriter();
        response.Encode(writer, versionRequested: false, audited.Configuration.Mode);
        var reader = new TlsReader(writer.ToArray());
        SearchResponse decoded = SearchResponse.Decode(ref reader, versionRequested: false, audited.Configuration.Mode);
        reader.EnsureEnd();
        return decoded;
    }
}
