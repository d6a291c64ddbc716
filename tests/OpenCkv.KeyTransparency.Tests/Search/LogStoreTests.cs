using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// The operator's storage port: a log reopened over its store answers as before and keeps going; a store that does
/// not hold what the configuration signed is refused; a store refuses a step that is not the next one.
/// </summary>
public sealed class LogStoreTests
{
    private sealed record Keys(Configuration Configuration, EcdsaP256PrivateKey Signing, VrfKeyPair Vrf);

    private static Keys NewKeys()
    {
        var signing = EcdsaP256PrivateKey.Generate();
        VrfKeyPair vrf = LogFixture.Suite.Vrf.GenerateKeyPair();
        return new Keys(
            new Configuration
            {
                Mode = DeploymentMode.ContactMonitoring,
                SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
                VrfPublicKey = vrf.PublicKey.ToArray(),
                MaxAhead = 60_000,
                MaxBehind = 10_000_000,
                ReasonableMonitoringWindow = 1_000,
                MaximumLifetime = null,
            },
            signing,
            vrf);
    }

    private static InMemoryLogStore PagedStore() =>
        new(LogFixture.Suite.TreeHashes, new PagedPrefixVersions(LogFixture.Suite.TreeHashes, new InMemoryPrefixPageTable(), levelsPerPage: 4));

    [Fact]
    public void A_reopened_log_answers_as_before_and_keeps_sequencing()
    {
        Keys keys = NewKeys();
        InMemoryLogStore store = PagedStore();
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, store);
        ulong now = LogFixture.PublishRoundRobin(log, 40, 7, 1_000_000, 100);
        var request = new SearchRequest(null, LogFixture.Label(3), null);
        SearchResponse before = log.Search(request);
        ClientState client = SearchVerifier.Verify(LogFixture.Suite, keys.Configuration, null, request, before, now).State;

        TransparencyLog reopened = TransparencyLog.Open(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, store);
        Assert.Equal(log.Size, reopened.Size);
        Assert.Equal(log.Head, reopened.Head);
        SearchResponse after = reopened.Search(request);
        Assert.Equal(Encode(before), Encode(after)); // VRF proofs are deterministic (RFC 9381 §5.4.2.2)

        // The reopened log continues the same label histories, and a client that saw the old log follows it.
        Assert.Equal(6u, reopened.Stage(LogFixture.Label(3), [9, 9]));
        reopened.Sequence(now += 100);
        var again = new SearchRequest(client.TreeSize, LogFixture.Label(3), null);
        VerifiedSearch verified = SearchVerifier.Verify(LogFixture.Suite, keys.Configuration, client, again, reopened.Search(again), now);
        Assert.Equal(6u, verified.Version);
        Assert.Equal(41ul, verified.State.TreeSize);
    }

    [Fact]
    public void A_store_signed_under_another_configuration_is_refused()
    {
        Keys keys = NewKeys();
        InMemoryLogStore store = PagedStore();
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, store);
        LogFixture.PublishRoundRobin(log, 5, 2, 1_000_000, 100);

        // Same keys, another window: the signed configuration differs, so the stored head no longer verifies.
        Configuration other = keys.Configuration with { ReasonableMonitoringWindow = 2_000 };
        var e = Assert.Throws<ArgumentException>(() => TransparencyLog.Open(LogFixture.Suite, other, keys.Signing, keys.Vrf, store));
        Assert.Contains("not one this configuration signed", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TransparencyLog.Create(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, store));
    }

    [Fact]
    public void A_store_whose_last_entry_does_not_match_its_log_tree_is_refused()
    {
        Keys keys = NewKeys();
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, store);
        LogFixture.PublishRoundRobin(log, 3, 2, 1_000_000, 100);

        var tampered = new TamperedStore(store, lastTimestampDelta: 1);
        Assert.Throws<ArgumentException>(() => TransparencyLog.Open(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, tampered));
        TransparencyLog.Open(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, new TamperedStore(store, 0));
    }

    [Fact]
    public void A_store_refuses_a_step_out_of_order_and_stays_unchanged()
    {
        Keys keys = NewKeys();
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, keys.Configuration, keys.Signing, keys.Vrf, store);
        LogFixture.PublishRoundRobin(log, 2, 1, 1_000_000, 100);
        StoredEntry last = store.Entry(1);
        byte[] label = LogFixture.Label(0);
        PublishedVersion wrongVersion = store.Versions(label)[1] with { Position = 2 };

        // Position skipped, and a version number that does not follow the label's two.
        Assert.Throws<ArgumentException>(() => store.Commit(new SequencedStep(3, last, Hash32.Zero, [])));
        Assert.Throws<ArgumentException>(() => store.Commit(new SequencedStep(2, last, Hash32.Zero, [new PublishedLabelVersion(label, wrongVersion)])));
        Assert.Equal(2ul, store.Size);
        Assert.Equal(2ul, store.LogTree.Size);
        Assert.Equal(2, store.Versions(label).Count);
    }

    private static byte[] Encode(SearchResponse response)
    {
        var writer = new OpenCkv.KeyTransparency.Tls.TlsWriter();
        response.Encode(writer, versionRequested: false, DeploymentMode.ContactMonitoring);
        return writer.ToArray();
    }

    /// <summary>A store whose last entry's timestamp is shifted, as a corrupted database would show it.</summary>
    private sealed class TamperedStore(ILogStore inner, ulong lastTimestampDelta) : ILogStore
    {
        public IPrefixVersions PrefixVersions => inner.PrefixVersions;

        public ILogTreeTable LogTree => inner.LogTree;

        public ulong Size => inner.Size;

        public ulong SignedSize => inner.SignedSize;

        public StoredEntry Entry(ulong position)
        {
            StoredEntry entry = inner.Entry(position);
            return position == inner.Size - 1 ? entry with { Timestamp = entry.Timestamp + lastTimestampDelta } : entry;
        }

        public TreeHead Head(ulong size) => inner.Head(size);

        public IReadOnlyList<PublishedVersion> Versions(byte[] label) => inner.Versions(label);

        public IReadOnlyList<PublishedLabelVersion> VersionsAt(ulong position) => inner.VersionsAt(position);

        public void Commit(SequencedStep sequenced) => inner.Commit(sequenced);

        public void StoreHead(TreeHead head) => inner.StoreHead(head);

        public void EraseOpenings(byte[] label, IReadOnlyList<uint> versions) => inner.EraseOpenings(label, versions);
    }
}
