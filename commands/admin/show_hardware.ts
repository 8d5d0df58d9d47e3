// show hardware: the virtual machine, the OS version of the lab's release, BIOS, RAID, the disk and its
// partitions. Layout: the UCOS capture in Cisco's pyATS VOS plugin documentation (versions.md §0); the
// figures match the VMware block of the start-up banner (2 vCPU, 8192 MB, one 110 GB disk).
import { createHash } from 'node:crypto';
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { profileOf } from '../../state/cluster/profile.js';

const SECTOR = 512;
const DISK_GB = 110;
/** sfdisk's geometry for a VMware disk: 255 heads, 63 sectors per track */
const HEADS = 255;
const PER_TRACK = 63;

interface Partition {
  start: number;
  end: number;
  id: string;
  system: string;
  boot?: boolean;
}

/** Active and inactive sides, /grub, the extended partition with swap and the common partition. */
function partitions(totalSectors: number): Partition[] {
  const last = totalSectors - 1;
  return [
    { start: 2048, end: 29028351, id: '83', system: 'Linux', boot: true },
    { start: 29028352, end: 58054655, id: '83', system: 'Linux' },
    { start: 58054656, end: 58578943, id: '83', system: 'Linux' },
    { start: 58578944, end: last, id: '5', system: 'Extended' },
    { start: 58580992, end: 66772991, id: '82', system: 'Linux swap / Solaris' },
    { start: 66775040, end: last, id: '83', system: 'Linux' },
  ];
}

/** `/dev/sda1   *      2048  29028351   29026304  83  Linux`: the columns of sfdisk -uS. */
function partitionLine(n: number, p: Partition): string {
  const count = p.end - p.start + 1;
  return `/dev/sda${n} ${p.boot ? '  *' : '   '}${String(p.start).padStart(10)}${String(p.end).padStart(10)}${String(count).padStart(11)}${p.id.padStart(4)}  ${p.system}`;
}

/** VMware's serial: the VM's UUID as byte pairs; a lab's is derived from its name and the node's. */
function serialNumber(lab: string, node: string): string {
  const h = [...createHash('sha256').update(`${lab}/${node}`).digest().subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0'));
  return `VMware-${h.slice(0, 8).join(' ')}-${h.slice(8).join(' ')}`;
}

function hardware(ctx: CommandContext): number {
  const total = (DISK_GB * 1024 ** 3) / SECTOR;
  ctx.out(
    // inferred: the capture's leading blank line after the command, as show status prints one
    '',
    'HW Platform       : VMware Virtual Machine',
    'Processors        : 2',
    'Type              : Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
    'CPU Speed         : 2400',
    'Memory            : 8192 MBytes',
    'Object ID         : 1.3.6.1.4.1.9.1.1348',
    `OS Version        : ${profileOf(ctx.lab).hardwareOs}`,
    `Serial Number     : ${serialNumber(ctx.lab.state.name, ctx.node.name)}`,
    '',
    'RAID Version      :',
    'No RAID controller information is available',
    '',
    'BIOS Information  :',
    'PhoenixTechnologiesLTD 6.00 09/21/2015',
    '',
    'RAID Details      :',
    'No RAID information is available',
    '-----------------------------------------------------------------------',
    'Physical device information',
    '-----------------------------------------------------------------------',
    'Number of Disks   : 1',
    'Hard Disk #1',
    `Size (in GB)      : ${DISK_GB}`,
    '',
    'Partition Details :',
    '',
    `Disk /dev/sda: ${Math.floor(total / (HEADS * PER_TRACK))} cylinders, ${HEADS} heads, ${PER_TRACK} sectors/track`,
    `Units = sectors of ${SECTOR} bytes, counting from 0`,
    '',
    '   Device Boot    Start       End   #sectors  Id  System',
    ...partitions(total).map((p, i) => partitionLine(i + 1, p)),
  );
  return 0;
}

const showHardware: CommandModule = {
  commands: [
    {
      path: ['show', 'hardware'],
      summary: 'This command displays the hardware platform, processors, memory, OS version, serial number, RAID and disk partitions of the server.',
      example: ['admin:show hardware'],
      run: hardware,
    },
  ],
};

export default showHardware;
