using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenCkv.Server.Tests;

/// <summary>
/// `ckv server` over HTTPS with its certificate given through Kestrel's standard configuration in the environment
/// (docs/operations.md): the API works end to end for a client that trusts the certificate, a client that does not
/// is refused by its own TLS check, plain HTTP to the port gets no answer, and an unreadable certificate stops the
/// server at start.
/// </summary>
public sealed class HttpsTests : IDisposable
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("ckv-https-").FullName;
    private readonly string _certificates = System.IO.Directory.CreateTempSubdirectory("ckv-https-cert-").FullName;

    [Fact]
    public async Task The_api_works_over_tls_for_a_client_that_trusts_the_certificate_and_no_other()
    {
        HttpsCertificate certificate = SelfSigned("pfx-password");
        using ServerProcess server = await ServerProcess.StartAsync(_folder, certificate);
        Assert.Equal("https", server.Address.Scheme);

        TestAccount alice = await TestAccount.RegisterAsync(server.Http, "mailto:alice@example.com");
        (_, Protocol.HandleRecord found) = await alice.LookUpAsync(alice.Label);
        Assert.Equal(alice.Records[alice.Label], found);

        using (var untrusting = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) })
        {
            HttpRequestException refused = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri("/health", UriKind.Relative)));
            Assert.Equal(HttpRequestError.SecureConnectionError, refused.HttpRequestError);
        }

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Address.Port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri("/health", UriKind.Relative)));
    }

    [Fact]
    public async Task A_certificate_with_a_wrong_password_stops_the_server_at_start()
    {
        HttpsCertificate certificate = SelfSigned("right-password");
        InvalidOperationException failed = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ServerProcess.StartAsync(_folder, certificate with { Password = "wrong-password" }));
        Assert.Contains("exited with 1 at start", failed.Message, StringComparison.Ordinal);
    }

    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, written as a password-protected PFX.</summary>
    private HttpsCertificate SelfSigned(string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string path = Path.Combine(_certificates, $"server-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new HttpsCertificate(path, password, certificate.Thumbprint);
    }

    public void Dispose()
    {
        System.IO.Directory.Delete(_folder, recursive: true);
        System.IO.Directory.Delete(_certificates, recursive: true);
    }
}
