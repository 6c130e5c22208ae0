// Opens a Zarr v3 group with zarrita and prints, as one JSON object, its attributes as zarrita
// parsed them: for an OME-Zarr 0.5 image what a viewer built on zarrita sees of its multiscales.
//
// Usage: node read-group-v3.mjs DIR GROUP_PATH
// GROUP_PATH is relative to DIR ("" for a group at DIR itself). Exit 1 with the reason on stderr
// when zarrita cannot open it as a group.
import { load } from './peers.mjs';

const args = process.argv.slice(2);
if (args.length !== 2) {
  console.error('usage: node read-group-v3.mjs DIR GROUP_PATH');
  process.exit(2);
}
const [root, relPath] = args;
try {
  const { zarr, FileSystemStore } = await load();
  const location = relPath === '' ? zarr.root(new FileSystemStore(root)) : zarr.root(new FileSystemStore(root)).resolve(relPath);
  const group = await zarr.open(location, { kind: 'group' });
  process.stdout.write(JSON.stringify({ node_type: 'group', attributes: group.attrs ?? {} }) + '\n');
} catch (e) {
  console.error(`read-group-v3.mjs: ${relPath}: ${e.message}`);
  process.exit(1);
}
