using System.Security.Cryptography;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;
using OpenCkv.KnownAnswers;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// What every <see cref="ILogStore"/> backend must do, checked against the in-memory store: the same history gives
/// the same heads and answers, everything committed reads back the same after a reopen, a refused step leaves
/// nothing behind, versions come back in order, pages round-trip and the log tree agrees with
/// <see cref="InMemoryLogTree"/>. Each backend's subclass opens its own fresh storage per test.
/// </summary>
public abstract class LogStoreContract : IDisposable
{
    /// <summary>The suite the logs use.</summary>
    protected static readonly CryptoSuite Suite = CryptoSuite.Fastest;

    private readonly byte[] _signingScalar = RandomNumberGenerator.GetBytes(32);
    private readonly VrfKeyPair _vrf = Suite.Vrf.GenerateKeyPair();
    private readonly List<OpenedLog> _opened = [];

    /// <summary>
    /// Opens this test's storage, the same each time: the first call finds it empty, later ones reopen what
    /// earlier ones committed.
    /// </summary>
    protected abstract OpenedLog OpenStorage(int levelsPerPage);

    /// <summary>Closes what the test opened; subclasses then remove the storage.</summary>
    public virtual void Dispose()
    {
        foreach (OpenedLog opened in _opened)
        {
            opened.Dispose();
        }

        _vrf.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void The_same_history_gives_the_same_heads_and_answers_as_the_in_memory_store_and_survives_a_reopen()
    {
        TransparencyLog inMemory = Log(MemoryStore());
        var request = new SearchRequest(null, "mailto:user7@example.com"u8.ToArray(), null);
        ulong now = Publish(inMemory, new Random(5), 120, 1_000_000);

        TransparencyLog stored = Log(Open().Store);
        Publish(stored, new Random(5), 120, 1_000_000);
        Assert.Equal(inMemory.Head, stored.Head);
        SearchResponse response = stored.Search(request);
        Assert.Equal(Encode(inMemory.Search(request)), Encode(response));
        ClientState client = SearchVerifier.Verify(Suite, stored.Configuration, null, request, response, now).State;

        // Reopened: the log checks the stored head, carries on, and the client follows it.
        TransparencyLog reopened = Log(Open().Store, reopen: true);
        Assert.Equal(inMemory.Head, reopened.Head);
        reopened.Stage(request.Label, [9, 9]);
        reopened.Sequence(now += 100);
        var again = new SearchRequest(client.TreeSize, request.Label, null);
        VerifiedSearch result = SearchVerifier.Verify(Suite, reopened.Configuration, client, again, reopened.Search(again), now);
        Assert.Equal([9, 9], result.Value.Value);
        Assert.Equal(121UL, result.State.TreeSize);
    }

    [Fact]
    public void Commit_then_reopen_returns_the_same_entries_heads_versions_and_pages()
    {
        var memoryPages = new InMemoryPrefixPageTable();
        var memory = MemoryStore(memoryPages);
        Publish(Log(memory), new Random(6), 60, 2_000_000);
        OpenedLog first = Open();
        Publish(Log(first.Store), new Random(6), 60, 2_000_000);
        first.Dispose();

        OpenedLog reopened = Open();
        ILogStore store = reopened.Store;
        Assert.Equal(60UL, store.Size);
        var labels = new HashSet<string>();
        for (ulong position = 0; position < 60; position++)
        {
            StoredEntry expected = memory.Entry(position), actual = store.Entry(position);
            Assert.Equal(expected.Timestamp, actual.Timestamp);
            Assert.Equal(expected.Tree.Root, actual.Tree.Root);
            Assert.Equal(PagedPrefixVersions.RootPageOf(expected.Tree), PagedPrefixVersions.RootPageOf(actual.Tree));
            Assert.Equal(memory.Head(position + 1), store.Head(position + 1));
            Assert.Equal(Describe(memory.VersionsAt(position)), Describe(store.VersionsAt(position)));
            labels.UnionWith(memory.VersionsAt(position).Select(v => Convert.ToHexString(v.Label)));
        }

        Assert.True(labels.Count > 10, $"only {labels.Count} labels");
        foreach (byte[] label in labels.Select(Convert.FromHexString))
        {
            Assert.Equal(Describe(memory.Versions(label)), Describe(store.Versions(label)));
        }

        Assert.Equal(memoryPages.NextId, reopened.Pages.NextId);
        ulong[] ids = [.. Enumerable.Range(1, (int)memoryPages.NextId - 1).Select(i => (ulong)i)];
        IReadOnlyDictionary<ulong, PrefixPage> read = reopened.Pages.Read(ids);
        Assert.All(ids, id => Assert.Equal(memoryPages.Read([id])[id], read[id]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Head(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Head(61));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Entry(60));
    }

    [Fact]
    public void A_commit_at_a_wrong_position_is_refused_and_leaves_nothing_behind()
    {
        ILogStore store = Open().Store;
        TransparencyLog log = Log(store);
        ulong now = Publish(log, new Random(9), 5, 1_000_000);
        StoredEntry last = store.Entry(4);
        byte[] label = "mailto:someone@example.com"u8.ToArray();
        PublishedLabelVersion Version(uint version, ulong position, byte[]? signature = null) =>
            new(label, new PublishedVersion(version, position, Hash32.Zero, Hash32.Zero, new byte[16], new UpdateValue([1], signature)));
        SequencedStep Step(ulong position, params PublishedLabelVersion[] versions) => new(position, last, Hash32.Zero, versions);

        Assert.Throws<ArgumentException>(() => store.Commit(Step(7)));                   // past the next position
        Assert.Throws<ArgumentException>(() => store.Commit(Step(4)));                   // an existing position
        Assert.Throws<ArgumentException>(() => store.StoreHead(new TreeHead(7, new byte[64]))); // a head with no entry
        Assert.Throws<ArgumentException>(() => store.Commit(Step(5, Version(3, 5))));    // a version the label lacks the ones before of
        Assert.Throws<ArgumentException>(() => store.Commit(Step(5, Version(0, 4))));    // a version of another position
        Assert.Throws<ArgumentException>(() => store.Commit(Step(5, Version(0, 5), Version(0, 5)))); // the same version twice
        Assert.Throws<ArgumentException>(() => store.Commit(Step(5, Version(0, 5, signature: [1])))); // a third-party value

        foreach (ILogStore view in new[] { store, Open().Store })
        {
            Assert.Equal(5UL, view.Size);
            Assert.Equal(5UL, view.LogTree.Size);
            Assert.Empty(view.Versions(label));
            Assert.Throws<ArgumentOutOfRangeException>(() => view.Entry(5));
            Assert.Throws<ArgumentOutOfRangeException>(() => view.Head(6));
        }

        log.Sequence(now + 1); // and the log carries on
        Assert.Equal(6UL, store.Size);
        Assert.Equal(6UL, store.LogTree.Size);
    }

    [Fact]
    public void Versions_come_back_by_label_in_version_order_and_by_position_in_staged_order()
    {
        ILogStore store = Open().Store;
        byte[] a = [0xa], b = [0xb], c = [0xc];
        PublishedLabelVersion V(byte[] label, uint version, ulong position) => new(
            label,
            new PublishedVersion(version, position, Hash32.From(Fill(32, (byte)(version + 1))), Hash32.From(Fill(32, label[0])), Fill(16, (byte)position), new UpdateValue([label[0], (byte)version], null)));
        void Step(ulong position, params PublishedLabelVersion[] versions)
        {
            store.Commit(new(position, new StoredEntry(1_000 + position, store.PrefixVersions.Empty), Hash32.From(Fill(32, (byte)(position + 7))), versions));
            store.StoreHead(new TreeHead(position + 1, Fill(64, (byte)position)));
        }

        PublishedLabelVersion[] first = [V(b, 0, 0), V(a, 0, 0), V(a, 1, 0)];
        PublishedLabelVersion[] second = [V(c, 0, 2), V(b, 1, 2)];
        Step(0, first);
        Step(1);
        Step(2, second);

        foreach (ILogStore view in new[] { store, Open().Store })
        {
            Assert.Equal(3UL, view.Size);
            Assert.Equal(Describe(first), Describe(view.VersionsAt(0)));
            Assert.Empty(view.VersionsAt(1));
            Assert.Equal(Describe(second), Describe(view.VersionsAt(2)));
            Assert.Equal(Describe([V(a, 0, 0).Version, V(a, 1, 0).Version]), Describe(view.Versions(a)));
            Assert.Equal(Describe([V(b, 0, 0).Version, V(b, 1, 2).Version]), Describe(view.Versions(b)));
            Assert.Equal(Describe([V(c, 0, 2).Version]), Describe(view.Versions(c)));
            Assert.Empty(view.Versions([0xd]));
            Assert.Equal(1_002UL, view.Entry(2).Timestamp);
            Assert.Equal(Fill(64, 1), view.Head(2).Signature);
        }
    }

    [Fact]
    public void A_step_must_continue_each_labels_versions_however_many_it_already_has()
    {
        ILogStore store = Open().Store;
        byte[] busy = [0xb], quiet = [0xc];
        PublishedLabelVersion V(byte[] label, uint version, ulong position) =>
            new(label, new PublishedVersion(version, position, Hash32.Zero, Hash32.Zero, new byte[16], new UpdateValue([(byte)version], null)));
        SequencedStep Step(ulong position, params PublishedLabelVersion[] versions) =>
            new(position, new StoredEntry(1_000 + position, store.PrefixVersions.Empty), Hash32.From(Fill(32, (byte)(position + 1))), versions);
        void Commit(ulong position, params PublishedLabelVersion[] versions)
        {
            store.Commit(Step(position, versions));
            store.StoreHead(new TreeHead(position + 1, Fill(64, (byte)position)));
        }

        // 40 versions of one label over ten entries, one of another.
        for (uint position = 0; position < 10; position++)
        {
            Commit(position, [.. Enumerable.Range(0, 4).Select(i => V(busy, (position * 4) + (uint)i, position))]);
        }

        Commit(10, V(quiet, 0, 10));

        Assert.Throws<ArgumentException>(() => store.Commit(Step(11, V(busy, 39, 11))));                  // a version it has
        Assert.Throws<ArgumentException>(() => store.Commit(Step(11, V(busy, 41, 11))));                  // one past the next
        Assert.Throws<ArgumentException>(() => store.Commit(Step(11, V(quiet, 1, 11), V(busy, 0, 11)))); // the first again
        Assert.Throws<ArgumentException>(() => store.Commit(Step(11, V(quiet, 0, 11))));                  // the other's first again
        Assert.Equal(11UL, store.Size);

        Commit(11, V(busy, 40, 11), V(quiet, 1, 11), V(busy, 41, 11), V([0xd], 0, 11));
        foreach (ILogStore view in new[] { store, Open().Store })
        {
            Assert.Equal(12UL, view.Size);
            Assert.Equal(Enumerable.Range(0, 42).Select(v => (uint)v), view.Versions(busy).Select(v => v.Version));
            Assert.Equal([0u, 1u], view.Versions(quiet).Select(v => v.Version));
        }
    }

    [Fact]
    public void Erased_history_reads_back_without_openings_after_a_reopen_and_everything_else_still_verifies()
    {
        ILogStore store = Open().Store;
        TransparencyLog log = Log(store);
        byte[] erased = "mailto:gone@example.com"u8.ToArray(), kept = "mailto:kept@example.com"u8.ToArray();
        ulong now = 1_000_000;
        for (int i = 0; i < 3; i++)
        {
            log.Stage(erased, [(byte)i]);
            log.Stage(kept, [(byte)(10 + i)]);
            log.Sequence(now += 10);
        }

        Assert.Equal(2, log.EraseHistory(erased));
        Assert.Equal(0, log.EraseHistory(erased)); // nothing left to erase
        Assert.Throws<ArgumentException>(() => store.EraseOpenings(erased, [7]));

        foreach (TransparencyLog view in new[] { log, Log(Open().Store, reopen: true) })
        {
            var greatest = new SearchRequest(null, erased, null);
            Assert.Equal([2], SearchVerifier.Verify(Suite, view.Configuration, null, greatest, view.Search(greatest), now).Value.Value);
            Assert.Throws<VersionErasedException>(() => view.Search(new SearchRequest(null, erased, 0)));
            Assert.Throws<VersionErasedException>(() => view.Search(new SearchRequest(null, erased, 1)));
            var other = new SearchRequest(null, kept, 0);
            Assert.Equal([10], SearchVerifier.Verify(Suite, view.Configuration, null, other, view.Search(other), now).Value.Value);
        }

        IReadOnlyList<PublishedVersion> read = Open().Store.Versions(erased);
        Assert.Equal([0, 0, 16], read.Select(v => v.Opening.Length));
        Assert.Equal([0, 0, 1], read.Select(v => v.Value.Value.Length));
        Assert.All(read, v => Assert.NotEqual(Hash32.Zero, v.Commitment));
        Assert.Empty(Open().Store.VersionsAt(0).Where(v => v.Label.AsSpan().SequenceEqual(erased)).Single().Version.Opening);
    }

    [Fact]
    public void Prefix_pages_round_trip_in_batches_of_thousands_and_a_reused_id_writes_nothing()
    {
        var random = new Random(4);
        var memory = new InMemoryPrefixPageTable();
        var versions = new PagedPrefixVersions(Suite.TreeHashes, memory, 2);
        PrefixVersion version = versions.Empty;
        for (int batch = 0; batch < 20; batch++)
        {
            version = versions.Insert(version, [.. Enumerable.Range(0, 100).Select(_ => Leaf(random))]);
        }

        ulong[] ids = [.. Enumerable.Range(1, (int)memory.NextId - 1).Select(i => (ulong)i)];
        Assert.True(ids.Length > 2_000, $"only {ids.Length} pages");
        IPrefixPageTable table = Open().Pages;
        Assert.Equal(1UL, table.NextId);
        table.Write([.. memory.Read(ids).Values.OrderBy(p => p.Id)]);
        Assert.Equal(memory.NextId, table.NextId);
        IReadOnlyDictionary<ulong, PrefixPage> read = table.Read(ids);
        Assert.Equal(ids.Length, read.Count);
        Assert.All(ids, id => Assert.Equal(memory.Read([id])[id], read[id]));

        // A batch that reuses an id fails whole: its new page is not stored either.
        PrefixPage reused = read[ids[^1]];
        PrefixPage fresh = reused with { Id = memory.NextId };
        Assert.ThrowsAny<Exception>(() => table.Write([fresh, reused]));
        IPrefixPageTable reopened = Open().Pages;
        Assert.Equal(memory.NextId, reopened.NextId);
        Assert.Throws<InvalidOperationException>(() => reopened.Read([fresh.Id]));
        Assert.Equal(read[ids[0]], reopened.Read([ids[0]])[ids[0]]);
    }

    [Fact]
    public void A_step_commits_its_pages_with_it_and_one_whose_page_reuses_an_id_stores_nothing()
    {
        OpenedLog opened = Open();
        ILogStore store = opened.Store;
        Publish(Log(store), new Random(10), 5, 1_000_000);
        ulong next = opened.Pages.NextId;
        PrefixPage existing = opened.Pages.Read([next - 1])[next - 1];
        PrefixPage fresh = existing with { Id = next };
        byte[] label = "mailto:paged@example.com"u8.ToArray();
        var step = new SequencedStep(
            5,
            store.Entry(4),
            Hash32.Zero,
            [new PublishedLabelVersion(label, new PublishedVersion(0, 5, Hash32.Zero, Hash32.Zero, new byte[16], new UpdateValue([1], null)))])
        {
            NewPages = [fresh, existing],
        };

        Assert.Throws<ArgumentException>(() => store.Commit(step));
        foreach (OpenedLog view in new[] { opened, Open() })
        {
            Assert.Equal(5UL, view.Store.Size);
            Assert.Empty(view.Store.Versions(label));
            Assert.Empty(view.Pages.IdsFrom(next, 10));
        }

        store.Commit(step with { NewPages = [fresh] });
        OpenedLog reopened = Open();
        Assert.Equal(6UL, reopened.Store.Size);
        Assert.Equal(fresh, reopened.Pages.Read([next])[next]);
        Assert.Equal(next + 1, reopened.Pages.NextId);
    }

    [Fact]
    public void Pages_are_listed_in_id_order_from_any_id_and_deleted_together()
    {
        var random = new Random(8);
        var memory = new InMemoryPrefixPageTable();
        new PagedPrefixVersions(Suite.TreeHashes, memory, 2).Insert(new PagedPrefixVersions(Suite.TreeHashes, memory, 2).Empty, [.. Enumerable.Range(0, 30).Select(_ => Leaf(random))]);
        ulong[] ids = [.. memory.IdsFrom(0, int.MaxValue)];
        Assert.True(ids.Length > 12, $"only {ids.Length} pages");
        IPrefixPageTable table = Open().Pages;
        table.Write([.. memory.Read(ids).Values.OrderBy(p => p.Id)]);

        Assert.Equal(ids[3..6], table.IdsFrom(ids[3], 3));
        Assert.Equal(ids[^2..], table.IdsFrom(ids[^2], 100));
        Assert.Empty(table.IdsFrom(ids[^1] + 1, 100));
        table.Read([ids[5], ids[7]]); // cached now
        table.Delete([ids[5], ids[7], ids[^1] + 50]);

        ulong[] left = [.. ids.Where(id => id != ids[5] && id != ids[7])];
        foreach (IPrefixPageTable view in new[] { table, Open().Pages })
        {
            Assert.Equal(left, view.IdsFrom(0, 1_000));
            Assert.Equal([ids[4], ids[6], ids[8]], view.IdsFrom(ids[4], 3));
            Assert.Throws<InvalidOperationException>(() => view.Read([ids[5]]));
            Assert.Throws<InvalidOperationException>(() => view.Read([ids[7]]));
            Assert.Equal(memory.Read([ids[6]])[ids[6]], view.Read([ids[6]])[ids[6]]);
        }
    }

    [Fact]
    public void Expired_trees_are_reclaimed_from_the_store_and_every_answer_left_is_the_same_after_a_reopen()
    {
        OpenedLog opened = Open();
        TransparencyLog log = Log(opened.Store, maximumLifetime: 5_000);
        ulong now = Publish(log, new Random(14), 100, 1_000_000);
        var answers = new Dictionary<SearchRequest, byte[]>();
        for (int user = 0; user < 50; user++)
        {
            byte[] label = System.Text.Encoding.ASCII.GetBytes($"mailto:user{user}@example.com");
            foreach (uint? version in new uint?[] { null, 0, 1 })
            {
                var request = new SearchRequest(null, label, version);
                try
                {
                    answers[request] = KtMessages.Encode(log.Search(request), version is not null, DeploymentMode.ContactMonitoring);
                }
                catch (ArgumentException)
                {
                    // no such version, or an expired one
                }
            }
        }

        int pagesBefore = opened.Pages.IdsFrom(0, 1_000_000).Count;

        PrefixSweepResult result = log.ReclaimExpiredTrees();

        Assert.True(result.DeletedPages > 0, "no page reclaimed");
        Assert.Equal(pagesBefore - result.DeletedPages, Open().Pages.IdsFrom(0, 1_000_000).Count);
        TransparencyLog reopened = Log(Open().Store, reopen: true, maximumLifetime: 5_000);
        Assert.True(answers.Count > 50, $"only {answers.Count} answers");
        foreach ((SearchRequest request, byte[] answer) in answers)
        {
            SearchResponse response = reopened.Search(request);
            Assert.Equal(answer, KtMessages.Encode(response, request.Version is not null, DeploymentMode.ContactMonitoring));
            SearchVerifier.Verify(Suite, reopened.Configuration, null, request, response, now);
        }

        Assert.Equal(0, reopened.ReclaimExpiredTrees().DeletedPages);
    }

    [Fact]
    public void Log_tree_heads_agree_with_the_in_memory_tree_through_a_reopen()
    {
        var random = new Random(12);
        var memory = new InMemoryLogTree(Suite.TreeHashes);
        ILogTreeTable stored = Open().Store.LogTree;
        Assert.Equal(0UL, stored.Size);
        const int leaves = 45;
        for (int i = 0; i < leaves; i++)
        {
            Hash32 leaf = Hash32.From(Fill(32, (byte)random.Next(256)));
            memory.Append(leaf);
            stored.Append(leaf);
        }

        LogRange[] balanced = [.. Enumerable.Range(0, 6)
            .Select(k => 1UL << k)
            .SelectMany(width => Enumerable.Range(0, (int)(leaves / width)).Select(i => new LogRange((ulong)i * width, width)))];
        foreach (ILogTreeTable view in new[] { stored, Open().Store.LogTree })
        {
            Assert.Equal((ulong)leaves, view.Size);
            Assert.Equal(memory.ReadBalanced(balanced), view.ReadBalanced(balanced));
            Assert.Equal(memory.ReadBalanced(balanced.Reverse().ToArray()), view.ReadBalanced(balanced.Reverse().ToArray()));
            for (ulong size = 1; size <= leaves; size++)
            {
                Assert.Equal(memory.Root(size), LogTreeProof.Root(view, size, Suite.TreeHashes));
            }

            Assert.Throws<ArgumentException>(() => view.ReadBalanced([new LogRange(32, 16)])); // not complete yet
            Assert.Throws<ArgumentException>(() => view.ReadBalanced([new LogRange(2, 4)]));   // not aligned
            Assert.Throws<ArgumentException>(() => view.ReadBalanced([new LogRange(0, 3)]));   // not balanced
        }
    }

    [Fact]
    public void A_log_on_the_store_answers_searches_for_every_label_and_version_that_verify_after_a_reopen()
    {
        var random = new Random(21);
        TransparencyLog log = Log(Open().Store);
        var values = new Dictionary<int, List<byte[]>>();
        ulong now = 5_000_000;
        for (int step = 0; step < 40; step++)
        {
            for (int u = random.Next(0, 4); u > 0; u--)
            {
                int label = random.Next(0, 8);
                byte[] value = BitConverter.GetBytes(random.NextInt64());
                Assert.Equal((uint)(values.TryGetValue(label, out List<byte[]>? list) ? list.Count : 0), log.Stage(Label(label), value));
                (list ?? (values[label] = [])).Add(value);
            }

            log.Sequence(now += (ulong)random.Next(1, 200));
        }

        Assert.True(values.Count >= 6, $"only {values.Count} labels");
        TransparencyLog reopened = Log(Open().Store, reopen: true);
        Assert.Equal(log.Head, reopened.Head);
        foreach ((int label, List<byte[]> history) in values)
        {
            var greatest = new SearchRequest(null, Label(label), null);
            VerifiedSearch found = SearchVerifier.Verify(Suite, reopened.Configuration, null, greatest, reopened.Search(greatest), now);
            Assert.Equal((uint)(history.Count - 1), found.Version);
            Assert.Equal(history[^1], found.Value.Value);
            for (int version = 0; version < history.Count; version++)
            {
                var fixedVersion = new SearchRequest(null, Label(label), (uint)version);
                VerifiedSearch old = SearchVerifier.Verify(Suite, reopened.Configuration, null, fixedVersion, reopened.Search(fixedVersion), now);
                Assert.Equal(history[version], old.Value.Value);
            }
        }
    }

    /// <summary>Opens the storage and closes it when the test ends.</summary>
    protected OpenedLog Open(int levelsPerPage = 4)
    {
        OpenedLog opened = OpenStorage(levelsPerPage);
        _opened.Add(opened);
        return opened;
    }

    private static InMemoryLogStore MemoryStore(InMemoryPrefixPageTable? pages = null) =>
        new(Suite.TreeHashes, new PagedPrefixVersions(Suite.TreeHashes, pages ?? new InMemoryPrefixPageTable(), 4));

    private Configuration Config(EcdsaP256PrivateKey signing, ulong? maximumLifetime) => new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
        VrfPublicKey = _vrf.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 100_000_000,
        ReasonableMonitoringWindow = 1_000,
        MaximumLifetime = maximumLifetime,
    };

    /// <summary>A log over <paramref name="store"/> with reproducible openings and signatures, so two stores can be compared.</summary>
    private TransparencyLog Log(ILogStore store, bool reopen = false, ulong? maximumLifetime = null)
    {
        _signingScalar[0] &= 0x7f;
        var signing = EcdsaP256PrivateKey.Import(_signingScalar);
        TransparencyLog log = reopen
            ? TransparencyLog.Open(Suite, Config(signing, maximumLifetime), signing, _vrf, store)
            : TransparencyLog.Create(Suite, Config(signing, maximumLifetime), signing, _vrf, store);
        if (!reopen)
        {
            log.UseDeterministicSources(
                (label, version) => SHA256.HashData([.. label, .. BitConverter.GetBytes(version)])[..16],
                message => DeterministicEcdsa.Sign(_signingScalar, message));
        }

        return log;
    }

    private static ulong Publish(TransparencyLog log, Random random, int entries, ulong now)
    {
        for (int i = 0; i < entries; i++)
        {
            for (int u = random.Next(0, 6); u > 0; u--)
            {
                log.Stage(System.Text.Encoding.ASCII.GetBytes($"mailto:user{random.Next(0, 50)}@example.com"), [(byte)i, (byte)u]);
            }

            log.Sequence(now += (ulong)random.Next(0, 300));
        }

        return now;
    }

    private static byte[] Label(int n) => System.Text.Encoding.ASCII.GetBytes($"tel:+1202555{n:D4}");

    private static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static PrefixLeaf Leaf(Random random)
    {
        var key = new byte[32];
        var commitment = new byte[32];
        random.NextBytes(key);
        random.NextBytes(commitment);
        return new PrefixLeaf(Hash32.From(key), Hash32.From(commitment));
    }

    /// <summary>Versions as text, so lists of records holding arrays compare by content.</summary>
    private static string[] Describe(IEnumerable<PublishedVersion> versions) => [.. versions.Select(v =>
        $"{v.Version}@{v.Position} {v.VrfOutput} {v.Commitment} {Convert.ToHexString(v.Opening)} {Convert.ToHexString(v.Value.Value)} {v.Value.Signature is null}")];

    private static string[] Describe(IEnumerable<PublishedLabelVersion> versions) =>
        [.. versions.Select(v => $"{Convert.ToHexString(v.Label)} {Describe([v.Version])[0]}")];

    private static byte[] Encode(SearchResponse response)
    {
        var writer = new KeyTransparency.Tls.TlsWriter();
        response.Encode(writer, versionRequested: false, DeploymentMode.ContactMonitoring);
        return writer.ToArray();
    }
}
