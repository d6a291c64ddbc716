using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// Heads signed after commit (DESIGN §7) and logs that follow a store another writer fills: an entry whose head was
/// never signed is not served until a writer completes it with the same bytes; a reader's refresh verifies the new
/// head before adopting it and brings cached label histories up to date.
/// </summary>
public sealed class SharedStoreTests
{
    private static readonly EcdsaP256PrivateKey Signing = EcdsaP256PrivateKey.Generate();
    private static readonly VrfKeyPair Vrf = LogFixture.Suite.Vrf.GenerateKeyPair();

    private static readonly Configuration Config = new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = Signing.PublicKey.Encoded.ToArray(),
        VrfPublicKey = Vrf.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 10_000_000,
        ReasonableMonitoringWindow = 1_000,
        MaximumLifetime = null,
    };

    /// <summary>Signs like the key, except that it fails when asked for <see cref="FailAt"/>, and records what it signed.</summary>
    private sealed class FlakySigner : ITreeHeadSigner
    {
        public byte[] PublicKey { get; } = Signing.PublicKey.Encoded.ToArray();

        public ulong FailAt { get; set; } = ulong.MaxValue;

        public Dictionary<ulong, byte[]> Signed { get; } = [];

        public List<ulong> Witnessed { get; } = [];

        public byte[] Sign(ulong treeSize, byte[] toBeSigned)
        {
            if (treeSize == FailAt)
            {
                throw new IOException("the process died here");
            }

            Signed[treeSize] = toBeSigned;
            return Signing.Sign(toBeSigned);
        }

        void ITreeHeadSigner.Witnessed(ulong treeSize, byte[] toBeSigned) => Witnessed.Add(treeSize);
    }

    [Fact]
    public void An_entry_committed_but_never_signed_is_not_served_until_a_writer_signs_the_same_head()
    {
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        var signer = new FlakySigner();
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config, signer, Vrf, store);
        ulong now = LogFixture.PublishRoundRobin(log, 5, 3, 1_000_000, 100);

        signer.FailAt = 6;
        log.Stage(LogFixture.Label(1), [7, 7]);
        Assert.Throws<IOException>(() => log.Sequence(now += 100));
        Assert.Equal(6UL, store.Size);
        Assert.Equal(5UL, store.SignedSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Head(6));
        Assert.Throws<ArgumentException>(() => store.Commit(new SequencedStep(6, store.Entry(5), Hash32.Zero, []))); // waits for the head

        // The next writer serves only the signed five entries, then completes the sixth with the very bytes the
        // failed one would have signed.
        var next = new FlakySigner();
        TransparencyLog reopened = TransparencyLog.Open(LogFixture.Suite, Config, next, Vrf, store);
        Assert.Equal(5UL, reopened.Size);
        var request = new SearchRequest(null, LogFixture.Label(1), null);
        Assert.NotEqual([7, 7], SearchVerifier.Verify(LogFixture.Suite, Config, null, request, reopened.Search(request), now).Value.Value);

        Assert.Equal(6UL, reopened.Refresh(completeHead: true));
        Assert.Single(next.Signed);
        Assert.Equal(6UL, store.SignedSize);
        VerifiedSearch found = SearchVerifier.Verify(LogFixture.Suite, Config, null, request, reopened.Search(request), now);
        Assert.Equal([7, 7], found.Value.Value);
        Assert.Equal(2u, found.Version);

        // A second signature of the same head keeps the first one stored.
        byte[] first = store.Head(6).Signature;
        store.StoreHead(new TreeHead(6, Signing.Sign(next.Signed[6])));
        Assert.Equal(first, store.Head(6).Signature);

        reopened.Stage(LogFixture.Label(1), [8]);
        reopened.Sequence(now + 100);
        Assert.Equal(7UL, store.SignedSize);
    }

    [Fact]
    public void A_reader_follows_the_writer_and_its_cached_labels_learn_the_new_versions()
    {
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        TransparencyLog writer = TransparencyLog.Create(LogFixture.Suite, Config, Signing, Vrf, store);
        ulong now = LogFixture.PublishRoundRobin(writer, 10, 4, 1_000_000, 100);
        var readerSigner = new FlakySigner();
        TransparencyLog reader = TransparencyLog.Open(LogFixture.Suite, Config, readerSigner, Vrf, store);
        Assert.Equal((2u, BitConverter.GetBytes(9)), reader.Latest(LogFixture.Label(1))); // cached from here on

        now = LogFixture.PublishRoundRobin(writer, 8, 4, now, 100, firstValue: 100);
        Assert.Equal(10UL, reader.Size); // nothing changes until it refreshes
        Assert.Equal(18UL, reader.Refresh(completeHead: false));
        Assert.Equal(writer.Head, reader.Head);
        Assert.Equal(writer.LastTimestamp, reader.LastTimestamp);
        Assert.Equal([18UL], readerSigner.Witnessed);
        Assert.Equal(writer.Latest(LogFixture.Label(1)), reader.Latest(LogFixture.Label(1)));
        Assert.Equal(4u, reader.Latest(LogFixture.Label(1))!.Value.Version);

        // Far behind: the caches are dropped and reloaded, with the same answers.
        now = LogFixture.PublishRoundRobin(writer, 300, 4, now, 10, firstValue: 1_000);
        Assert.Equal(318UL, reader.Refresh(completeHead: false));
        for (int label = 0; label < 4; label++)
        {
            Assert.Equal(writer.Latest(LogFixture.Label(label)), reader.Latest(LogFixture.Label(label)));
            var request = new SearchRequest(null, LogFixture.Label(label), null);
            Assert.Equal(
                SearchVerifier.Verify(LogFixture.Suite, Config, null, request, writer.Search(request), now).Value.Value,
                SearchVerifier.Verify(LogFixture.Suite, Config, null, request, reader.Search(request), now).Value.Value);
        }

        Assert.Empty(readerSigner.Signed); // a reader never signs
    }

    [Fact]
    public void A_refresh_that_does_not_verify_changes_nothing()
    {
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        TransparencyLog writer = TransparencyLog.Create(LogFixture.Suite, Config, Signing, Vrf, store);
        ulong now = LogFixture.PublishRoundRobin(writer, 4, 2, 1_000_000, 100);
        var corrupt = new HeadSwappingStore(store);
        TransparencyLog reader = TransparencyLog.Open(LogFixture.Suite, Config, Signing, Vrf, corrupt);
        TreeHead before = reader.Head;

        LogFixture.PublishRoundRobin(writer, 2, 2, now, 100);
        corrupt.Swap = true; // the newest head now carries an older head's signature
        Assert.Throws<ArgumentException>(() => reader.Refresh(completeHead: false));
        Assert.Equal(4UL, reader.Size);
        Assert.Same(before, reader.Head);

        corrupt.Swap = false;
        Assert.Equal(6UL, reader.Refresh(completeHead: false));
    }

    [Fact]
    public async Task Responses_are_built_while_an_entry_is_being_stored()
    {
        var inner = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        var slow = new HeadSwappingStore(inner);
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config, Signing, Vrf, slow);
        ulong now = LogFixture.PublishRoundRobin(log, 3, 2, 1_000_000, 100);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        slow.BeforeCommit = () =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        log.Stage(LogFixture.Label(0), [5]);
        Task<ulong> sequencing = Task.Run(() => log.Sequence(now + 100));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));

        // The writer is inside the store's commit; a reader still gets the previous entry's answers at once.
        var request = new SearchRequest(null, LogFixture.Label(0), null);
        Task<SearchResponse> answer = Task.Run(() => log.Search(request));
        Task<(uint, byte[])?> latest = Task.Run(() => log.Latest(LogFixture.Label(0)));
        await Task.WhenAll(answer, latest).WaitAsync(TimeSpan.FromSeconds(10)); // times out if a reader waits for the writer
        Assert.Equal(3UL, log.Size);
        Assert.Equal(1u, SearchVerifier.Verify(LogFixture.Suite, Config, null, request, await answer, now).Version);
        Assert.Equal(1u, (await latest)!.Value.Item1);

        release.Set();
        Assert.Equal(3UL, await sequencing);
        Assert.Equal(2u, log.Latest(LogFixture.Label(0))!.Value.Version);
    }

    /// <summary>A store that, when told, answers the newest head with the signature of the one before, or waits before a commit.</summary>
    private sealed class HeadSwappingStore(InMemoryLogStore inner) : ILogStore
    {
        public bool Swap { get; set; }

        public Action BeforeCommit { get; set; } = static () => { };

        public KeyTransparency.Trees.IPrefixVersions PrefixVersions => inner.PrefixVersions;

        public KeyTransparency.Trees.ILogTreeTable LogTree => inner.LogTree;

        public ulong Size => inner.Size;

        public ulong SignedSize => inner.SignedSize;

        public StoredEntry Entry(ulong position) => inner.Entry(position);

        public TreeHead Head(ulong size) =>
            Swap && size == inner.SignedSize ? new TreeHead(size, inner.Head(size - 1).Signature) : inner.Head(size);

        public IReadOnlyList<PublishedVersion> Versions(byte[] label) => inner.Versions(label);

        public IReadOnlyList<PublishedLabelVersion> VersionsAt(ulong position) => inner.VersionsAt(position);

        public void Commit(SequencedStep sequenced)
        {
            BeforeCommit();
            inner.Commit(sequenced);
        }

        public void StoreHead(TreeHead head) => inner.StoreHead(head);

        public void EraseOpenings(byte[] label, IReadOnlyList<uint> versions) => inner.EraseOpenings(label, versions);
    }
}
