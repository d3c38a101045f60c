#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
/* Records epoll_wait returns, readv and writev per descriptor with their times. */
#define N 4000000
static struct { long long t; int kind, fd, n; } rec[N];
static long idx;
static long long now(void){ struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec*1000000000LL+t.tv_nsec; }
static void put(int kind,int fd,int n){ if(idx<N){ rec[idx].t=now(); rec[idx].kind=kind; rec[idx].fd=fd; rec[idx].n=n; idx++; } }
static void dump(void){
  const char *p=getenv("PASS_OUT"); if(!p) return; FILE*f=fopen(p,"w"); if(!f) return;
  for(long i=0;i<idx;i++) fprintf(f,"%lld %d %d %d\n",rec[i].t,rec[i].kind,rec[i].fd,rec[i].n);
  fclose(f);
}
__attribute__((constructor)) static void init(void){ atexit(dump); }
int epoll_wait(int fd, struct epoll_event *ev, int max, int timeout){
  static int (*real)(int, struct epoll_event*, int, int);
  if(!real) real=dlsym(RTLD_NEXT,"epoll_wait");
  put(0,-1,0);
  int r=real(fd,ev,max,timeout);
  put(1,-1,r);
  return r;
}
ssize_t readv(int fd, const struct iovec *v, int c){
  static ssize_t (*real)(int,const struct iovec*,int);
  if(!real) real=dlsym(RTLD_NEXT,"readv");
  ssize_t r=real(fd,v,c); if(r>0) put(2,fd,(int)r); return r;
}
ssize_t writev(int fd, const struct iovec *v, int c){
  static ssize_t (*real)(int,const struct iovec*,int);
  if(!real) real=dlsym(RTLD_NEXT,"writev");
  ssize_t r=real(fd,v,c); if(r>0) put(3,fd,(int)r); return r;
}
