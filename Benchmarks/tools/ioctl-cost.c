// The cost of one ioctl(FIONREAD) on this VM: gcc -O2 ioctl-cost.c -o ioctl-cost && ./ioctl-cost (output in ioctl-cost.txt).
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <time.h>
int main(){int sv[2];socketpair(AF_UNIX,SOCK_STREAM,0,sv);struct timespec a,b;int n;
clock_gettime(CLOCK_MONOTONIC,&a);for(int i=0;i<1000000;i++)ioctl(sv[0],FIONREAD,&n);clock_gettime(CLOCK_MONOTONIC,&b);
printf("%.1f ns per ioctl\n",((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/1e6);}
