// Runs s3rver (a Node S3 stand-in) in its own process for the upload benchmark, so serving requests doesn't share
// a CPU budget or event loop with the measured client. Prints "PORT <n>" when listening.
import S3rver from 's3rver';

const [directory] = process.argv.slice(2);
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'bench' }] });
const { port } = await server.run();
process.stdout.write(`PORT ${port}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
