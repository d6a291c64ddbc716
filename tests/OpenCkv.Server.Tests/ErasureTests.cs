using System.Net;
using System.Text;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Tests;

/// <summary>
/// Erasure of a removed handle (docs/operations.md): `ckv server admin erase` refuses a live handle; for a removed
/// one, the earlier versions' values are gone (a search for one is answered 410) while the tombstone still verifies.
/// </summary>
public sealed class ErasureTests : IDisposable
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("ckv-erasure-").FullName;

    [Fact]
    public Task A_removed_handles_history_is_erased_and_its_tombstone_still_verifies() => EraseAsync(null);

    [Fact]
    public async Task The_same_on_PostgreSQL()
    {
        using var database = new PostgresDatabase();
        await EraseAsync(database.ConnectionString);
    }

    private async Task EraseAsync(string? postgres)
    {
        Func<ServerOptions, ServerOptions> options = o => o with { Postgres = postgres };
        string[] store = postgres is null ? [] : ["--postgres", postgres];
        TestAccount carol;
        await using (LoopbackServer server = await LoopbackServer.StartAsync(options, folder: _folder))
        {
            TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
            carol = await TestAccount.RegisterAsync(server, "mailto:carol@example.com");
            HandleRecord last = bob.Records[bob.Label];
            await bob.Client.DeleteAccountAsync(bob.Credentials, [RecordBuilder.Next(last, last.Counter + 1, bob.AccountKey, CkvState.Removed, devices: [])]);
        }

        Assert.Equal(1, (await ServerProcess.RunCommandAsync(["server", "admin", "--data", _folder, .. store, "erase", "mailto:carol@example.com"])).Exit); // live: refused
        Assert.Equal(0, (await ServerProcess.RunCommandAsync(["server", "admin", "--data", _folder, .. store, "erase", "mailto:bob@example.com"])).Exit);

        await using LoopbackServer again = await LoopbackServer.StartAsync(options, folder: _folder);
        var client = new DirectoryClient(again.Http);
        Assert.Equal(CkvState.Removed, (await carol.LookUpAsync("mailto:bob@example.com", via: client)).Record.State);
        var old = new SearchRequest(null, Encoding.UTF8.GetBytes("mailto:bob@example.com"), 0);
        DirectoryApiException erased = await Assert.ThrowsAsync<DirectoryApiException>(() => client.KtAsync("search", TlsCodec.Encode(old), carol.Credentials));
        Assert.Equal(HttpStatusCode.Gone, erased.Status);
        Assert.Equal("erased", erased.Problem);

        // Carol's own history is untouched.
        var own = new SearchRequest(null, Encoding.UTF8.GetBytes(carol.Label), 0);
        Configuration configuration = TlsCodec.Decode<Configuration>(await client.ConfigurationAsync());
        SearchResponse response = KtMessages.DecodeSearch(await client.KtAsync("search", TlsCodec.Encode(own), carol.Credentials), versionRequested: true, configuration.Mode);
        Assert.Equal(0u, SearchVerifier.Verify(CryptoSuite(), configuration, null, own, response, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Version);
    }

    private static Crypto.CryptoSuite CryptoSuite() => Crypto.CryptoSuite.Fastest;

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);
}
