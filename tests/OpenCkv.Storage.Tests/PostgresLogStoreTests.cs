using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.Storage.Postgres;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// The log store contract on the PostgreSQL backend, each test in a fresh schema, and what only a shared server
/// adds: the public entry point, schema isolation, and a second writer that must not overwrite the first.
/// </summary>
public sealed class PostgresLogStoreTests : LogStoreContract
{
    private readonly PostgresTestDatabase _database = new();

    /// <inheritdoc />
    protected override OpenedLog OpenStorage(int levelsPerPage)
    {
        var database = new PostgresLogDatabase(_database.ConnectionString, _database.Schema);
        return new OpenedLog(new PostgresLogStore(database, Suite.TreeHashes, levelsPerPage), new PostgresPrefixPageTable(database, cachedPages: 100), database);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _database.Dispose();
    }

    [Fact]
    public void The_entry_point_creates_the_tables_and_a_reopen_reads_the_size_back()
    {
        using (PostgresLogStore store = PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, _database.Schema))
        {
            Assert.Equal(0UL, store.Size);
            CommitSigned(store, 0);
            CommitSigned(store, 1);
        }

        using PostgresLogStore reopened = PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, _database.Schema);
        Assert.Equal(2UL, reopened.Size);
        Assert.Equal(2UL, reopened.LogTree.Size);
        Assert.Equal(1_001UL, reopened.Entry(1).Timestamp);
    }

    [Fact]
    public void Two_schemas_of_one_database_hold_two_separate_logs()
    {
        var other = new PostgresTestDatabase();
        try
        {
            using PostgresLogStore first = PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, _database.Schema);
            using PostgresLogStore second = PostgresStores.OpenLog(other.ConnectionString, Suite.TreeHashes, other.Schema);
            CommitSigned(first, 0);
            Assert.Equal(0UL, second.Size);
            Assert.Equal(0UL, second.LogTree.Size);
            Assert.Throws<ArgumentOutOfRangeException>(() => second.Entry(0));
        }
        finally
        {
            other.Dispose();
        }
    }

    [Fact]
    public void A_second_writer_that_missed_a_commit_is_refused_and_changes_nothing()
    {
        using PostgresLogStore writer = PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, _database.Schema);
        using PostgresLogStore stale = PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, _database.Schema);
        CommitSigned(writer, 0);

        ArgumentException refused = Assert.Throws<ArgumentException>(() => stale.Commit(EmptyStep(stale, 0)));
        Assert.Contains("another writer", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, stale.Size);
        using PostgresLogStore reader = PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, _database.Schema);
        Assert.Equal(1UL, reader.Size);
        Assert.Equal(1UL, reader.LogTree.Size);
        Assert.Equal(new byte[64], reader.Head(1).Signature);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("1st")]
    [InlineData("a\"; DROP TABLE x; --")]
    public void A_schema_name_outside_lower_case_letters_digits_and_underscores_is_refused(string schema)
    {
        Assert.Throws<ArgumentException>(() => PostgresStores.OpenDirectory(_database.ConnectionString, schema));
        Assert.Throws<ArgumentException>(() => PostgresStores.OpenLog(_database.ConnectionString, Suite.TreeHashes, schema));
    }

    private static SequencedStep EmptyStep(PostgresLogStore store, ulong position) => new(
        position,
        new StoredEntry(1_000 + position, store.PrefixVersions.Empty),
        Hash32.From(Enumerable.Repeat((byte)(position + 1), 32).ToArray()),
        []);

    private static void CommitSigned(PostgresLogStore store, ulong position)
    {
        store.Commit(EmptyStep(store, position));
        store.StoreHead(new TreeHead(position + 1, new byte[64]));
    }
}
