// The one remote command kiln runs on a host: `node -e <bootstrap> <config>`.
// The bootstrap refuses an old node, loads the agent bundle from the host's
// cache by its hash, or first asks for it (`send-agent`), reads exactly its
// bytes from stdin, checks the hash and caches it. The command is a constant
// apart from a base64 config: nothing from a port's metadata is in it.

export interface BootConfig {
  /** The agent's directory, relative to the build user's home (or absolute). */
  readonly dir: string;
  /** sha256 of the agent bundle: its version and its name in the cache. */
  readonly hash: string;
  readonly size: number;
}

/** Oldest Node.js major the agent runs on. */
export const MIN_NODE_MAJOR = 20;

// Written for any node and any login shell: one line, no single quote (the
// shell's quoting) and no `!` (csh history expansion even inside quotes).
const BOOTSTRAP = [
  'var c=JSON.parse(Buffer.from(process.argv[1],"base64").toString());',
  'var fs=require("fs"),p=require("path"),os=require("os"),cr=require("crypto"),u=require("url");',
  'function say(o){process.stdout.write(JSON.stringify(o)+"\\n")}',
  'var v=process.versions.node;',
  `if(+v.split(".")[0]<${MIN_NODE_MAJOR}){say({t:"refuse",reason:"node "+v+" is too old: kiln needs Node.js ${MIN_NODE_MAJOR} or later"});process.exit(3)}`,
  'var root=p.resolve(os.homedir(),c.dir),f=p.join(root,"agent",c.hash+".mjs");',
  'function go(){import(u.pathToFileURL(f).href).then(function(m){m.startAgent({root:root,agentFile:f})},',
  'function(e){say({t:"refuse",reason:"the agent does not load: "+e});process.exit(3)})}',
  'if(fs.existsSync(f)){go()}else{fs.mkdirSync(p.dirname(f),{recursive:true,mode:448});var got=[],n=0;',
  'var h=function(b){got.push(b);n+=b.length;if(n<c.size)return;process.stdin.off("data",h);process.stdin.pause();',
  'var all=Buffer.concat(got),body=all.subarray(0,c.size);if(all.length>c.size)process.stdin.unshift(all.subarray(c.size));',
  'if(cr.createHash("sha256").update(body).digest("hex")===c.hash){var t=f+".in"+process.pid;',
  'fs.writeFileSync(t,body,{mode:384});fs.renameSync(t,f);go()}else{say({t:"refuse",reason:"the agent arrived damaged"});process.exit(3)}};',
  'process.stdin.on("data",h);say({t:"send-agent"})}',
].join('');

if (/['!\n]/.test(BOOTSTRAP)) throw new Error('bootstrap: unsafe character for a remote shell');

/** The remote command line, for the build user's login shell. */
export function remoteCommand(boot: BootConfig): string {
  const config = Buffer.from(JSON.stringify(boot)).toString('base64');
  return `exec node -e '${BOOTSTRAP}' ${config}`;
}
